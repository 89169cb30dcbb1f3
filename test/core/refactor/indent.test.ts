import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchIndentation } from '../../../src/core/refactor/indent';

const FILE = 'class A {\n    m() {\n        return 1;\n    }\n}\n';
const ORIGINAL = '    m() {\n        return 1;\n    }';

test('an answer at column 0 moves to where the original code was', () => {
  assert.equal(matchIndentation('m() {\n    return 2;\n}', ORIGINAL, FILE), '    m() {\n        return 2;\n    }');
});

test('an answer in another indentation unit is converted to the file\'s', () => {
  // Two spaces in a four-space file.
  assert.equal(matchIndentation('  m() {\n    return 2;\n  }', ORIGINAL, FILE), '    m() {\n        return 2;\n    }');
  // Spaces in a tab file.
  const tabs = 'class A {\n\tm() {\n\t\treturn 1;\n\t}\n}\n';
  assert.equal(matchIndentation('m() {\n    if (a) {\n        return 2;\n    }\n}', '\tm() {\n\t\treturn 1;\n\t}', tabs), '\tm() {\n\t\tif (a) {\n\t\t\treturn 2;\n\t\t}\n\t}');
  // Tabs in a two-space file.
  const two = 'class A {\n  m() {\n    return 1;\n  }\n}\n';
  assert.equal(matchIndentation('\tm() {\n\t\treturn 2;\n\t}', '  m() {\n    return 1;\n  }', two), '  m() {\n    return 2;\n  }');
});

test('an answer already in place is left alone; blank lines around it go', () => {
  assert.equal(matchIndentation('\n\n    m() {\n        return 2;\n    }\n\n', ORIGINAL, FILE), '    m() {\n        return 2;\n    }');
  // Python keeps its structure through a shift.
  const py = 'class A:\n    def f(self):\n        if x:\n            return 1\n        return 2\n';
  assert.equal(matchIndentation('def f(self):\n    if x:\n        return 1\n    return 2', '    def f(self):\n        if x:\n            return 1\n        return 2', py), '    def f(self):\n        if x:\n            return 1\n        return 2');
  assert.equal(matchIndentation('', ORIGINAL, FILE), '');
});
