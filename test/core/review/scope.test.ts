/**
 * Review scopes against real git repositories in temp folders. Every git call and file read is
 * recorded, so the tests can show that an excluded file's content never even reaches the process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs/promises';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { TiercelError } from '../../../src/core/errors';
import { PrivacyFilter } from '../../../src/core/privacy/ignore';
import type { ReviewFileSystem } from '../../../src/core/review/files';
import { runGit, type GitRunner } from '../../../src/core/review/git';
import { collectReviewTarget, type ReviewScope, type ReviewTarget } from '../../../src/core/review/scope';
import { changedRangesOf, parseUnifiedDiff } from '../../../src/core/review/unifiedDiff';

const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
/** Strings that sit only in excluded files: none may appear in anything git printed or fs returned. */
const NEVER_READ = ['tracked-env-secret', 'staged-env-secret', 'gitignored-secret', 'local-only-secret', 'deny-listed-key-body'];

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const GIT_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: GIT_ENV });
}

async function put(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

async function initRepo(dir: string): Promise<void> {
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.name', 'Tiercel Test');
  git(dir, 'config', 'user.email', 'test@tiercel.invalid');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'config', 'core.autocrlf', 'false');
}

const APP = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

/**
 * A repository with every kind of change:
 * staged: app.ts modified (plus a later unstaged edit), .env modified (tracked!), old-name.ts renamed and
 *   edited, remove-me.ts deleted, config.ts added with an AWS key, a new file with a space and ü in its name;
 * unstaged: README.md;
 * untracked: notes/todo.md, id_rsa (deny list), image.bin (binary), docs/my file ü.md;
 * ignored: secrets/prod.json, debug.local.
 */
async function richRepo(): Promise<string> {
  const root = await tempDir('tiercel-review-');
  await initRepo(root);
  await put(root, {
    'src/app.ts': APP,
    'src/old-name.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\nexport const d = 4;\n',
    'src/remove-me.ts': 'export const gone = true;\n',
    '.env': 'API_KEY=tracked-env-secret-value-123\n',
    '.gitignore': 'secrets/\n*.local\n',
    'README.md': '# Demo\n',
  });
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'init');

  await put(root, {
    'src/app.ts': APP.replace('line 3\n', 'line 3 changed\n').replace('line 7\n', 'line 7\ninserted\n'),
    '.env': 'API_KEY=staged-env-secret-value-456\n',
    'src/config.ts': `export const awsKeyId = "${AWS_ID}";\nexport const region = "us-east-1";\n`,
    'src/spaced name ü.ts': 'export const spaced = true;\n',
  });
  git(root, 'mv', 'src/old-name.ts', 'src/new-name.ts');
  await put(root, { 'src/new-name.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\nexport const d = 5;\n' });
  git(root, 'rm', '-q', 'src/remove-me.ts');
  git(root, 'add', '-A');

  await put(root, {
    'src/app.ts': APP.replace('line 3\n', 'line 3 changed\n').replace('line 7\n', 'line 7\ninserted\n') + 'unstaged tail\n',
    'README.md': '# Demo\n\nMore words.\n',
    'notes/todo.md': '- review me\n',
    'secrets/prod.json': '{"password": "gitignored-secret-789"}\n',
    'debug.local': 'local-only-secret-000\n',
    id_rsa: '-----BEGIN OPENSSH PRIVATE KEY-----\ndeny-listed-key-body\n-----END OPENSSH PRIVATE KEY-----\n',
    'image.bin': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]),
    'docs/my file ü.md': 'Unicode name\n',
  });
  return root;
}

/** The real runner and file system, recording what came back from each. */
function recorders() {
  const gitCalls: Array<{ args: readonly string[]; stdout: string }> = [];
  const reads: string[] = [];
  const readTexts: string[] = [];
  const gitRunner: GitRunner = async (args, options) => {
    const result = await runGit(args, options);
    gitCalls.push({ args, stdout: result.stdout });
    return result;
  };
  const fs: ReviewFileSystem = {
    async readFile(p) {
      reads.push(p);
      const bytes = await nodeFs.readFile(p);
      readTexts.push(bytes.toString('utf8'));
      return bytes;
    },
    lstat: (p) => nodeFs.lstat(p),
    realpath: (p) => nodeFs.realpath(p),
  };
  const everythingSeen = () => [...gitCalls.map((c) => c.stdout), ...readTexts].join('\n');
  return { gitRunner, fs, gitCalls, reads, everythingSeen };
}

async function collect(root: string, scope: ReviewScope, extra: { unsavedText?: (rel: string) => string | undefined } = {}) {
  const rec = recorders();
  const filter = await PrivacyFilter.load(root);
  const target = await collectReviewTarget(scope, { root, filter, git: rec.gitRunner, fs: rec.fs, ...extra });
  return { target, ...rec };
}

function byPath(target: ReviewTarget) {
  return new Map(target.files.map((f) => [f.path, f]));
}

function assertNothingSecretLeft(target: ReviewTarget, seen: string) {
  const sent = JSON.stringify(target);
  for (const s of NEVER_READ) {
    assert.ok(!sent.includes(s), `${s} is in the review target`);
    assert.ok(!seen.includes(s), `${s} was read from git or disk`);
  }
  assert.ok(!sent.includes(AWS_ID), 'the AWS key is redacted everywhere');
}

test('staged: index versions of staged files, changed lines, and privacy applied before anything is read', async () => {
  const root = await richRepo();
  const { target, reads, everythingSeen, gitCalls } = await collect(root, { kind: 'staged' });
  const files = byPath(target);
  assert.deepEqual([...files.keys()].sort(), ['src/app.ts', 'src/config.ts', 'src/new-name.ts', 'src/remove-me.ts', 'src/spaced name ü.ts']);

  const app = files.get('src/app.ts');
  assert.equal(app?.status, 'modified');
  assert.ok(app?.text?.includes('line 3 changed') && app.text.includes('inserted'));
  assert.ok(!app?.text?.includes('unstaged tail'), 'staged review reads the index, not the working tree');
  assert.deepEqual(app?.changedRanges, [
    { startLine: 3, endLine: 3 },
    { startLine: 8, endLine: 8 },
  ]);

  const renamed = files.get('src/new-name.ts');
  assert.equal(renamed?.status, 'renamed');
  assert.equal(renamed?.oldPath, 'src/old-name.ts');
  assert.deepEqual(renamed?.changedRanges, [{ startLine: 4, endLine: 4 }]);

  const deleted = files.get('src/remove-me.ts');
  assert.equal(deleted?.status, 'deleted');
  assert.equal(deleted?.text, undefined);

  const config = files.get('src/config.ts');
  assert.equal(config?.status, 'added');
  assert.equal(config?.text, 'export const awsKeyId = "[REDACTED:aws-access-key]";\nexport const region = "us-east-1";\n');
  assert.deepEqual(config?.redactions, [{ kind: 'aws-access-key', line: 1 }]);
  assert.deepEqual(config?.changedRanges, [{ startLine: 1, endLine: 2 }]);
  assert.equal(files.get('src/spaced name ü.ts')?.status, 'added');

  assert.deepEqual(target.excluded, [{ path: '.env', reason: 'default deny list: .env' }]);
  assert.ok(target.diff.includes('+export const awsKeyId = "[REDACTED:aws-access-key]";'));
  assert.deepEqual(target.diffRedactions.map((r) => r.kind), ['aws-access-key']);
  assert.ok(!target.diff.includes('.env'));
  assert.ok(!target.diff.includes('README') && !target.diff.includes('todo'), 'unstaged and untracked changes are not staged');
  assert.equal(parseUnifiedDiff(target.diff).sections.length, 5, 'the filtered diff still parses');

  assertNothingSecretLeft(target, everythingSeen());
  assert.ok(!reads.some((p) => p.endsWith('.env')));
  // .env is named to git only in the change list, never as a path to diff or read.
  for (const call of gitCalls.filter((c) => c.args.includes('--') || c.args.includes('cat-file'))) {
    assert.ok(!call.args.some((a) => a.endsWith('.env')), call.args.join(' '));
  }
});

test('uncommitted: staged, unstaged and untracked text files from the working tree; ignored files never appear', async () => {
  const root = await richRepo();
  const { target, everythingSeen, reads } = await collect(root, { kind: 'uncommitted' });
  const files = byPath(target);
  assert.deepEqual([...files.keys()].sort(), [
    'README.md',
    'docs/my file ü.md',
    'notes/todo.md',
    'src/app.ts',
    'src/config.ts',
    'src/new-name.ts',
    'src/remove-me.ts',
    'src/spaced name ü.ts',
  ]);
  const app = files.get('src/app.ts');
  assert.ok(app?.text?.endsWith('unstaged tail\n'), 'working-tree text');
  assert.deepEqual(app?.changedRanges, [
    { startLine: 3, endLine: 3 },
    { startLine: 8, endLine: 8 },
    { startLine: 12, endLine: 12 },
  ]);
  assert.deepEqual(files.get('README.md')?.changedRanges, [{ startLine: 2, endLine: 3 }]);
  const todo = files.get('notes/todo.md');
  assert.equal(todo?.status, 'added');
  assert.equal(todo?.text, '- review me\n');
  assert.deepEqual(todo?.changedRanges, [{ startLine: 1, endLine: 1 }]);
  assert.equal(files.get('src/new-name.ts')?.oldPath, 'src/old-name.ts');
  assert.equal(files.get('src/remove-me.ts')?.text, undefined);

  assert.deepEqual(
    [...target.excluded].sort((a, b) => a.path.localeCompare(b.path)),
    [
      { path: '.env', reason: 'default deny list: .env' },
      { path: 'id_rsa', reason: 'default deny list: id_rsa*' },
      { path: 'image.bin', reason: 'binary file' },
    ],
  );
  const everything = JSON.stringify(target);
  assert.ok(!everything.includes('secrets/prod.json') && !everything.includes('debug.local'), '.gitignored files are not even listed');

  // Untracked files get a git-style section of their own.
  assert.ok(target.diff.includes('diff --git a/notes/todo.md b/notes/todo.md\nnew file mode 100644\n--- /dev/null\n+++ b/notes/todo.md\n@@ -0,0 +1 @@\n+- review me\n'));
  const sections = parseUnifiedDiff(target.diff).sections;
  assert.deepEqual(sections.map((s) => s.newPath ?? s.oldPath).sort(), [...files.keys()].sort());

  assertNothingSecretLeft(target, everythingSeen());
  assert.ok(!reads.some((p) => /\.env$|id_rsa$|prod\.json$|debug\.local$/.test(p)), reads.join('\n'));
});

test('untracked files past the cap are listed, not read', async () => {
  const root = await tempDir('tiercel-review-');
  await initRepo(root);
  await put(root, Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`gen/f${i}.ts`, `export const v${i} = ${i};\n`])));
  const rec = recorders();
  const filter = await PrivacyFilter.load(root);
  const target = await collectReviewTarget({ kind: 'uncommitted' }, { root, filter, git: rec.gitRunner, fs: rec.fs, maxUntrackedFiles: 2 });
  assert.deepEqual(target.files.map((f) => f.path), ['gen/f0.ts', 'gen/f1.ts']);
  assert.deepEqual(target.excluded.map((e) => e.path), ['gen/f2.ts', 'gen/f3.ts', 'gen/f4.ts']);
  assert.match(target.excluded[0]?.reason ?? '', /^more than 2 untracked files/);
  assert.equal(rec.reads.length, 2);
});

test('a renamed .env stays excluded under its new name, since the content is the same', async () => {
  const root = await tempDir('tiercel-review-');
  await initRepo(root);
  await put(root, { '.env': 'TOKEN=tracked-env-secret-abc\n', 'a.ts': 'x\n' });
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'init');
  git(root, 'mv', '.env', 'settings.txt');
  const { target, everythingSeen } = await collect(root, { kind: 'staged' });
  assert.deepEqual(target.files, []);
  assert.deepEqual(target.excluded, [{ path: 'settings.txt', reason: 'renamed from .env (default deny list: .env)' }]);
  assert.equal(target.diff, '');
  assertNothingSecretLeft(target, everythingSeen());
});

test('a repository without commits: everything staged or present is new', async () => {
  const root = await tempDir('tiercel-review-');
  await initRepo(root);
  await put(root, { 'a.ts': 'const a = 1;\n', 'b.ts': 'const b = 2;\nconst c = 3;\n' });
  git(root, 'add', 'a.ts');
  const staged = await collect(root, { kind: 'staged' });
  assert.deepEqual(staged.target.files.map((f) => [f.path, f.status]), [['a.ts', 'added']]);
  const uncommitted = await collect(root, { kind: 'uncommitted' });
  assert.deepEqual(
    uncommitted.target.files.map((f) => [f.path, f.status, f.changedRanges]),
    [
      ['a.ts', 'added', [{ startLine: 1, endLine: 1 }]],
      ['b.ts', 'added', [{ startLine: 1, endLine: 2 }]],
    ],
  );
});

test('a workspace folder inside a larger repository sees only its own changes, with paths relative to it', async () => {
  const repo = await tempDir('tiercel-review-');
  await initRepo(repo);
  await put(repo, { 'pkg/a.ts': 'a\n', 'other/b.ts': 'b\n' });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'init');
  await put(repo, { 'pkg/a.ts': 'a2\n', 'other/b.ts': 'b2\n', 'pkg/new.ts': 'n\n', 'other/new.ts': 'n\n' });
  const root = path.join(repo, 'pkg');
  const { target } = await collect(root, { kind: 'uncommitted' });
  assert.deepEqual(target.files.map((f) => f.path).sort(), ['a.ts', 'new.ts']);
  assert.ok(target.diff.includes('diff --git a/a.ts b/a.ts'));
  assert.ok(!target.diff.includes('other/'));
});

test('outside a git repository, staged and uncommitted reviews explain themselves', async () => {
  const root = await tempDir('tiercel-nogit-');
  await put(root, { 'a.ts': 'x\n' });
  const filter = await PrivacyFilter.load(root);
  // A ceiling stops git from finding a repository above the temp folder.
  const runner: GitRunner = (args, options) => {
    process.env.GIT_CEILING_DIRECTORIES = path.dirname(root);
    try {
      return runGit(args, options);
    } finally {
      delete process.env.GIT_CEILING_DIRECTORIES;
    }
  };
  for (const kind of ['staged', 'uncommitted'] as const) {
    await assert.rejects(collectReviewTarget({ kind }, { root, filter, git: runner }), (error: unknown) => {
      assert.ok(error instanceof TiercelError);
      assert.match(error.message, /is not in a git repository, so there are no staged or uncommitted changes to review/);
      return true;
    });
  }
  // File and selection reviews need no git.
  const file = await collectReviewTarget({ kind: 'file', file: 'a.ts' }, { root, filter, git: runner });
  assert.deepEqual(file.files.map((f) => f.path), ['a.ts']);
});

test('git missing, or failing, becomes a TiercelError with the reason', async () => {
  const root = await tempDir('tiercel-review-');
  const filter = await PrivacyFilter.load(root);
  const missing: GitRunner = async () => {
    throw Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' });
  };
  await assert.rejects(collectReviewTarget({ kind: 'staged' }, { root, filter, git: missing }), /git was not found on PATH/);

  const failing: GitRunner = async (args) => {
    if (args.includes('rev-parse')) return { code: 0, stdout: args.includes('--is-inside-work-tree') ? 'true\n' : 'abc\n', stderr: '' };
    return { code: 128, stdout: '', stderr: 'fatal: bad object HEAD\nmore detail\n' };
  };
  await assert.rejects(collectReviewTarget({ kind: 'uncommitted' }, { root, filter, git: failing }), (error: unknown) => {
    assert.ok(error instanceof TiercelError);
    assert.equal(error.message, 'git diff failed: fatal: bad object HEAD');
    assert.deepEqual(error.actions, ['showLog']);
    return true;
  });
});

test('file and selection: whole text, the chosen lines, redaction, and the same privacy rules', async () => {
  const root = await richRepo();
  const whole = await collect(root, { kind: 'file', file: 'src/app.ts' });
  assert.equal(whole.target.files[0]?.status, 'unchanged');
  assert.deepEqual(whole.target.files[0]?.changedRanges, [{ startLine: 1, endLine: 12 }]);
  assert.equal(whole.target.diff, '');
  assert.deepEqual(whole.gitCalls, [], 'no git needed');

  const selection = await collect(root, { kind: 'selection', file: path.join(root, 'src/config.ts'), startLine: 1, endLine: 1 });
  assert.equal(selection.target.files[0]?.path, 'src/config.ts');
  assert.deepEqual(selection.target.files[0]?.changedRanges, [{ startLine: 1, endLine: 1 }]);
  assert.ok(selection.target.files[0]?.text?.includes('[REDACTED:aws-access-key]'));

  const clamped = await collect(root, { kind: 'selection', file: 'src/app.ts', startLine: 10, endLine: 99 });
  assert.deepEqual(clamped.target.files[0]?.changedRanges, [{ startLine: 10, endLine: 12 }]);
  for (const [startLine, endLine] of [[0, 2], [5, 4], [20, 25]] as const) {
    await assert.rejects(collect(root, { kind: 'selection', file: 'src/app.ts', startLine, endLine }), TiercelError);
  }

  const env = await collect(root, { kind: 'file', file: '.env' });
  assert.deepEqual(env.target, { files: [], diff: '', diffRedactions: [], excluded: [{ path: '.env', reason: 'default deny list: .env' }] });
  assert.deepEqual(env.reads, []);
  const ignored = await collect(root, { kind: 'file', file: 'secrets/prod.json' });
  assert.deepEqual(ignored.target.excluded, [{ path: 'secrets/prod.json', reason: '.gitignore: secrets/' }]);
  assert.deepEqual(ignored.reads, []);

  await assert.rejects(collect(root, { kind: 'file', file: '../elsewhere.ts' }), /outside the workspace/);
  await assert.rejects(collect(root, { kind: 'file', file: 'src/missing.ts' }), /does not exist/);

  // An unsaved editor buffer wins over the file on disk, and is redacted like it.
  const unsaved = await collect(root, { kind: 'file', file: 'src/app.ts' }, { unsavedText: (rel) => (rel === 'src/app.ts' ? `k = "${AWS_ID}"` : undefined) });
  assert.equal(unsaved.target.files[0]?.text, 'k = "[REDACTED:aws-access-key]"');
  assert.deepEqual(unsaved.reads, []);
});

test('symbolic links are followed only inside the workspace and onto files that may be sent', async () => {
  const root = await tempDir('tiercel-review-');
  const outside = await tempDir('tiercel-outside-');
  await put(outside, { 'secret.txt': 'local-only-secret-link\n', 'notes.txt': 'outside-folder-secret\n' });
  await put(root, { '.env': 'DB=env-through-link\n', 'src/real.ts': 'export const real = 1;\n' });
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'notes.txt'));
  // Only a folder on the way is a link: the last component is an ordinary name.
  await symlink(outside, path.join(root, 'vendor'));
  await symlink(path.join(root, '.env'), path.join(root, 'env-link.ts'));
  await symlink(path.join(root, 'src/real.ts'), path.join(root, 'current.ts'));
  for (const [file, reason] of [
    ['notes.txt', 'a symbolic link that leads outside the workspace'],
    ['vendor/notes.txt', 'a symbolic link that leads outside the workspace'],
    ['env-link.ts', 'a symbolic link to .env (default deny list: .env)'],
  ]) {
    const { target, reads } = await collect(root, { kind: 'file', file: file! });
    assert.deepEqual(target.excluded, [{ path: file, reason }]);
    assert.deepEqual(target.files, []);
    assert.deepEqual(reads, []);
  }
  // An editor buffer of the link is the target's content too.
  const unsaved = await collect(root, { kind: 'file', file: 'vendor/notes.txt' }, { unsavedText: () => 'outside-folder-secret\n' });
  assert.deepEqual(unsaved.target.files, []);
  const inside = await collect(root, { kind: 'file', file: 'current.ts' });
  assert.equal(inside.target.files[0]?.text, 'export const real = 1;\n');
});

test('diff file: sections of excluded files are dropped, texts are read only when the patch fits them', async () => {
  const root = await richRepo();
  git(root, 'add', '-A');
  // The patch as a user would make it: nothing filtered, .env included.
  const patch = git(root, 'diff', '--cached', 'HEAD');
  assert.ok(patch.includes('staged-env-secret'));
  const patchFile = path.join(await tempDir('tiercel-patch-'), 'change.patch');
  await writeFile(patchFile, patch);

  const { target } = await collect(root, { kind: 'diffFile', path: patchFile });
  const files = byPath(target);
  assert.ok(files.has('src/app.ts') && files.has('notes/todo.md') && files.has('src/new-name.ts'));
  assert.ok(files.get('src/app.ts')?.text?.includes('unstaged tail'), 'the working tree matches the patch, so its text is used');
  assert.deepEqual(files.get('src/app.ts')?.changedRanges, [
    { startLine: 3, endLine: 3 },
    { startLine: 8, endLine: 8 },
    { startLine: 12, endLine: 12 },
  ]);
  const excludedPaths = target.excluded.map((e) => e.path).sort();
  assert.deepEqual(excludedPaths, ['.env', 'id_rsa', 'image.bin']);
  assert.ok(!target.diff.includes('env-secret') && !target.diff.includes('deny-listed-key-body'));
  assert.ok(!JSON.stringify(target).includes(AWS_ID));

  // A patch made against another version: the hunks do not fit the file, so no text is offered.
  const stale = ['--- a/src/app.ts', '+++ b/src/app.ts', '@@ -1,2 +1,2 @@', '-old first line', '+new first line', ' old second line', ''].join('\n');
  const staleFile = path.join(root, 'stale.patch');
  await writeFile(staleFile, stale);
  const staleTarget = await collect(root, { kind: 'diffFile', path: 'stale.patch' });
  assert.equal(staleTarget.target.files[0]?.text, undefined);
  assert.deepEqual(staleTarget.target.files[0]?.changedRanges, [{ startLine: 1, endLine: 1 }]);

  const escaping = ['--- a/../outside.ts', '+++ b/../outside.ts', '@@ -1 +1 @@', '-a', '+b', ''].join('\n');
  await writeFile(path.join(root, 'escaping.patch'), escaping);
  const escaped = await collect(root, { kind: 'diffFile', path: 'escaping.patch' });
  assert.deepEqual(escaped.target.excluded, [{ path: '../outside.ts', reason: 'outside the workspace' }]);
  assert.equal(escaped.target.diff, '');

  await assert.rejects(collect(root, { kind: 'diffFile', path: 'nope.patch' }), /Cannot read the diff file nope\.patch/);
  await writeFile(path.join(root, 'empty.patch'), 'just words\n');
  await assert.rejects(collect(root, { kind: 'diffFile', path: 'empty.patch' }), /has no file changes/);
});

test('parseUnifiedDiff: headers, renames, binaries, quoting, prefixes and hunk bodies read by count', () => {
  const diff = [
    'From 1234 Mon Sep 17 00:00:00 2001',
    'Subject: [PATCH] change things',
    '',
    '---',
    ' q.sql | 2 +-',
    '',
    'diff --git a/q.sql b/q.sql',
    'index 1111111..2222222 100644',
    '--- a/q.sql',
    '+++ b/q.sql',
    '@@ -1,3 +1,3 @@',
    ' select 1;',
    '--- a comment that was removed',
    '+-- a comment that was added',
    ' select 2;',
    'diff --git a/img.png b/img.png',
    'index 3333333..4444444 100644',
    'Binary files a/img.png and b/img.png differ',
    'diff --git a/old name.ts b/new name.ts',
    'similarity index 100%',
    'rename from old name.ts',
    'rename to new name.ts',
    'diff --git "a/t\\303\\251st\\t.txt" "b/t\\303\\251st\\t.txt"',
    'new file mode 100644',
    '--- /dev/null',
    '+++ "b/t\\303\\251st\\t.txt"',
    '@@ -0,0 +1 @@',
    '+hi',
    '\\ No newline at end of file',
    'diff --git i/m.ts w/m.ts',
    '--- i/m.ts',
    '+++ w/m.ts',
    '@@ -5 +5 @@',
    '-a',
    '+b',
    'diff --git src/np.ts src/np.ts',
    'deleted file mode 100644',
    '--- src/np.ts',
    '+++ /dev/null',
    '@@ -1,2 +0,0 @@',
    '-x',
    '-y',
    '-- ',
    '2.39.5',
    '',
  ].join('\n');
  const parsed = parseUnifiedDiff(diff);
  assert.ok(parsed.preamble.startsWith('From 1234') && parsed.preamble.includes('q.sql | 2 +-'));
  assert.deepEqual(
    parsed.sections.map((s) => [s.oldPath, s.newPath, s.status, s.binary, s.hunks.length]),
    [
      ['q.sql', 'q.sql', 'modified', false, 1],
      ['img.png', 'img.png', 'modified', true, 0],
      ['old name.ts', 'new name.ts', 'renamed', false, 0],
      [undefined, 'tést\t.txt', 'added', false, 1],
      ['m.ts', 'm.ts', 'modified', false, 1],
      ['src/np.ts', undefined, 'deleted', false, 1],
    ],
  );
  assert.deepEqual(parsed.sections[0]?.hunks[0]?.lines, [' select 1;', '--- a comment that was removed', '+-- a comment that was added', ' select 2;']);
  assert.deepEqual(parsed.sections[3]?.hunks[0]?.lines, ['+hi', '\\ No newline at end of file']);
  assert.deepEqual(parsed.sections[4]?.hunks[0], { oldStart: 5, oldLines: 1, newStart: 5, newLines: 1, lines: ['-a', '+b'] });
  // Each section's text is its own slice of the input; only the patch signature after the last hunk is left out.
  const rebuilt = [parsed.preamble, ...parsed.sections.map((s) => s.text)].join('\n') + '\n';
  assert.equal(rebuilt, diff.replace('-- \n2.39.5\n', ''));
});

test('parseUnifiedDiff: text between files that is not diff format is not carried into a section', () => {
  const diff = [
    'diff --git a/a.ts b/a.ts',
    'index 1..2 100644',
    'junk before the hunk: SECRET-ONE',
    '--- a/a.ts',
    '+++ b/a.ts',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    'Only in b: .env',
    '*** .env context-diff section: SECRET-TWO',
    '',
  ].join('\n');
  const [section] = parseUnifiedDiff(diff).sections;
  assert.equal(section?.text, ['diff --git a/a.ts b/a.ts', 'index 1..2 100644', '--- a/a.ts', '+++ b/a.ts', '@@ -1 +1 @@', '-x', '+y'].join('\n'));
});

test('parseUnifiedDiff: plain diff -u output, with timestamps and several files', () => {
  const diff = [
    'diff -u a/x.ts b/x.ts',
    '--- a/x.ts\t2024-05-01 10:00:00.000000000 +0200',
    '+++ b/x.ts\t2024-05-02 10:00:00.000000000 +0200',
    '@@ -1,2 +1,3 @@',
    ' a',
    '+b',
    ' c',
    '--- lib/y.ts.orig\t2024-05-01',
    '+++ lib/y.ts\t2024-05-02',
    '@@ -2 +2,0 @@',
    '-gone',
  ].join('\n');
  const parsed = parseUnifiedDiff(diff);
  assert.deepEqual(
    parsed.sections.map((s) => [s.oldPath, s.newPath, s.status]),
    [
      ['x.ts', 'x.ts', 'modified'],
      ['lib/y.ts.orig', 'lib/y.ts', 'modified'],
    ],
  );
  assert.equal(parsed.preamble, '');
});

test('changedRangesOf: added runs, replacements, and a line to anchor pure deletions on', () => {
  const hunk = (newStart: number, newLines: number, lines: string[]) => ({ oldStart: 1, oldLines: 0, newStart, newLines, lines });
  assert.deepEqual(changedRangesOf([hunk(1, 4, [' a', '+b', '+c', ' d'])]), [{ startLine: 2, endLine: 3 }]);
  assert.deepEqual(changedRangesOf([hunk(10, 3, [' a', '-x', '+y', ' b'])]), [{ startLine: 11, endLine: 11 }]);
  // A deletion between lines 10 and 11 of the new file is anchored on line 11.
  assert.deepEqual(changedRangesOf([hunk(10, 2, [' a', '-x', '-y', ' b'])]), [{ startLine: 11, endLine: 11 }]);
  // At the end of the file: the last line.
  assert.deepEqual(changedRangesOf([hunk(10, 1, [' a', '-x'])]), [{ startLine: 10, endLine: 10 }]);
  // The file emptied: no line to anchor on.
  assert.deepEqual(changedRangesOf([hunk(0, 0, ['-x', '-y'])]), []);
  // Adjacent and overlapping runs merge across hunks.
  assert.deepEqual(changedRangesOf([hunk(1, 2, ['+a', '+b']), hunk(3, 2, ['+c', ' d']), hunk(20, 1, ['+z'])]), [
    { startLine: 1, endLine: 3 },
    { startLine: 20, endLine: 20 },
  ]);
});
