/**
 * The PrivacyFilter against real folders (temp dirs through node:fs/promises) and, where a read
 * must be observed or must fail, a file system fake.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  DEFAULT_DENY_LIST,
  expandBraces,
  filesExcludePatterns,
  PrivacyFilter,
  type PrivacyFileSystem,
} from '../../../src/core/privacy/ignore';

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

/** A temp workspace holding `files` (path → text). */
async function workspace(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tiercel-privacy-'));
  temps.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

/** An in-memory file system over `files`, recording every path read and listed. */
function fakeFs(files: Record<string, string>, fail: Record<string, string> = {}) {
  const reads: string[] = [];
  const listed: string[] = [];
  const norm = (p: string) => p.split(path.sep).join('/').replace(/^\/root\/?/, '');
  const fs: PrivacyFileSystem = {
    async readFile(p) {
      const rel = norm(p);
      reads.push(rel);
      if (fail[rel]) throw Object.assign(new Error(fail[rel]), { code: fail[rel] });
      const text = files[rel];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return text;
    },
    async readdir(p) {
      const rel = norm(p);
      listed.push(rel);
      const prefix = rel ? `${rel}/` : '';
      const names = new Map<string, boolean>();
      for (const f of Object.keys(files)) {
        if (!f.startsWith(prefix)) continue;
        const [name, ...rest] = f.slice(prefix.length).split('/');
        if (name) names.set(name, rest.length > 0 || names.get(name) === true);
      }
      return [...names].map(([name, isDir]) => ({ name, isDirectory: () => isDir }));
    },
  };
  return { fs, reads, listed };
}

function reasonOf(filter: PrivacyFilter, rel: string): string | undefined {
  const result = filter.isExcluded(rel);
  return result.excluded ? (result.reason ?? '?') : undefined;
}

test('the default deny list excludes credential files at any depth, case-insensitively', async () => {
  const filter = await PrivacyFilter.load(await workspace({ 'src/index.ts': '' }));
  const denied = [
    '.env',
    'app/.env',
    '.env.local',
    'services/api/.env.production',
    '.env.example',
    '.envrc',
    'certs/server.pem',
    'tls/private.key',
    'store.p12',
    'win/cert.pfx',
    'android/release.keystore',
    'java/keys.jks',
    'home/.ssh/id_rsa',
    'id_rsa.pub',
    'id_ed25519',
    'deploy/id_ecdsa_ci',
    '.ssh/config',
    '.npmrc',
    'py/.pypirc',
    '.netrc',
    '.pgpass',
    '.git-credentials',
    '.docker/config.json',
    '.kube/config',
    '.aws/credentials',
    'gcloud/credentials.json',
    'config/secrets.yml',
    'deploy/secrets.json',
    'infra/terraform.tfstate',
    'infra/terraform.tfstate.backup',
    '.git/config',
    'vendor/lib/.git/HEAD',
    '.ENV',
    'Certs/Server.PEM',
    // Named after their environment, or copies of a key or env file.
    'deploy/prod.env',
    'config/staging.env.bak',
    'config/server.pem.bak',
    'tls/site.key.old',
    'certs/site.key~',
    '.env~',
    'store.p12.orig',
    'vpn/office.ovpn',
  ];
  for (const rel of denied) {
    const reason = reasonOf(filter, rel);
    assert.ok(reason?.startsWith('default deny list: '), `${rel} is denied (got ${reason})`);
  }
  assert.equal(reasonOf(filter, 'app/.env.local'), 'default deny list: .env.*');
  assert.equal(reasonOf(filter, '.aws/credentials'), 'default deny list: credentials');

  // Source files named after what they handle are code, not credentials.
  const allowed = [
    'src/credentials.ts',
    'lib/secrets.py',
    'src/env.ts',
    'src/environment.ts',
    '.envelope',
    'docs/keys.md',
    'src/keyboard.ts',
    'src/token.ts',
    'src/env.d.ts',
    'src/vite-env.d.ts',
    'src/keys.ts',
    'src/monkey.ts',
    'docs/pem-format.md',
    '.github/workflows/ci.yml',
    '.gitignore',
    'README.md',
  ];
  for (const rel of allowed) assert.equal(reasonOf(filter, rel), undefined, `${rel} is allowed`);
});

test('nothing re-includes a denied file: not .gitignore, .tiercelignore nor files.exclude negations', async () => {
  const root = await workspace({
    '.gitignore': '!.env\n!*.pem\n',
    '.tiercelignore': '!.env\n!**/*.pem\n',
    'sub/.gitignore': '!.env\n',
  });
  const filter = await PrivacyFilter.load(root, { filesExclude: { '!.env': true, '.env': false } });
  assert.equal(reasonOf(filter, '.env'), 'default deny list: .env');
  assert.equal(reasonOf(filter, 'sub/.env'), 'default deny list: .env');
  assert.equal(reasonOf(filter, 'k/server.pem'), 'default deny list: *.pem');
  assert.ok(DEFAULT_DENY_LIST.every((p) => !p.startsWith('!')));
});

test('nested .gitignore files apply relative to their own folder, deeper ones winning', async () => {
  const root = await workspace({
    '.gitignore': '# build output\nbuild/\n*.log\n!keep.log\n/top-only.txt\n',
    'pkg/.gitignore': 'generated/\n/local.txt\n!important.log\ndocs/*.tmp\n',
    'pkg/sub/x.ts': '',
    'other/x.ts': '',
  });
  const filter = await PrivacyFilter.load(root);
  assert.equal(reasonOf(filter, 'build/out.js'), '.gitignore: build/');
  assert.equal(reasonOf(filter, 'pkg/build/out.js'), '.gitignore: build/');
  assert.equal(reasonOf(filter, 'build/'), '.gitignore: build/');
  // `build/` matches folders only.
  assert.equal(reasonOf(filter, 'build'), undefined);
  assert.equal(reasonOf(filter, 'debug.log'), '.gitignore: *.log');
  assert.equal(reasonOf(filter, 'keep.log'), undefined);
  assert.equal(reasonOf(filter, 'top-only.txt'), '.gitignore: /top-only.txt');
  assert.equal(reasonOf(filter, 'pkg/top-only.txt'), undefined);

  assert.equal(reasonOf(filter, 'pkg/generated/a.ts'), 'pkg/.gitignore: generated/');
  assert.equal(reasonOf(filter, 'pkg/sub/generated/a.ts'), 'pkg/.gitignore: generated/');
  assert.equal(reasonOf(filter, 'generated/a.ts'), undefined, 'pkg/.gitignore does not reach outside pkg/');
  assert.equal(reasonOf(filter, 'pkg/local.txt'), 'pkg/.gitignore: /local.txt');
  assert.equal(reasonOf(filter, 'pkg/sub/local.txt'), undefined, 'a leading slash anchors to the file’s folder');
  assert.equal(reasonOf(filter, 'pkg/docs/a.tmp'), 'pkg/.gitignore: docs/*.tmp');
  assert.equal(reasonOf(filter, 'pkg/sub/docs/a.tmp'), undefined, 'a middle slash anchors too');
  // The deeper negation overrides the root's *.log, only inside pkg/.
  assert.equal(reasonOf(filter, 'pkg/important.log'), undefined);
  assert.equal(reasonOf(filter, 'pkg/sub/important.log'), undefined);
  assert.equal(reasonOf(filter, 'other/important.log'), '.gitignore: *.log');
});

test('a file inside an excluded folder cannot be re-included, and the folder’s own ignore files are not read', async () => {
  const { fs, reads, listed } = fakeFs({
    '.gitignore': 'dist/\n!dist/keep.js\n',
    'dist/.gitignore': '!*\n',
    'dist/keep.js': '',
    'dist/deep/x.js': '',
    'src/.gitignore': 'tmp/\n',
    'src/a.ts': '',
  });
  const filter = await PrivacyFilter.load('/root', { fs });
  assert.equal(reasonOf(filter, 'dist/keep.js'), '.gitignore: dist/');
  assert.equal(reasonOf(filter, 'dist/deep/x.js'), '.gitignore: dist/');
  assert.equal(reasonOf(filter, 'src/tmp/a'), 'src/.gitignore: tmp/');
  assert.ok(!reads.includes('dist/.gitignore'), `read ${reads.join(', ')}`);
  assert.ok(!listed.includes('dist') && !listed.includes('dist/deep'), `listed ${listed.join(', ')}`);
  assert.ok(reads.includes('src/.gitignore'));
});

test('.tiercelignore excludes with the same syntax, nested too, and cannot re-include a .gitignored file', async () => {
  const root = await workspace({
    '.gitignore': '*.log\n',
    '.tiercelignore': 'private-notes/\n*.sqlite\n!debug.log\n',
    'app/.tiercelignore': 'fixtures/customers/\n',
  });
  const filter = await PrivacyFilter.load(root);
  assert.equal(reasonOf(filter, 'private-notes/plan.md'), '.tiercelignore: private-notes/');
  assert.equal(reasonOf(filter, 'data/app.sqlite'), '.tiercelignore: *.sqlite');
  assert.equal(reasonOf(filter, 'app/fixtures/customers/1.json'), 'app/.tiercelignore: fixtures/customers/');
  assert.equal(reasonOf(filter, 'app/fixtures/products/1.json'), undefined);
  assert.equal(reasonOf(filter, 'debug.log'), '.gitignore: *.log');
});

test('files.exclude globs are anchored to the workspace folder, with braces expanded', async () => {
  const filter = await PrivacyFilter.load(await workspace({}), {
    filesExclude: {
      '**/.DS_Store': true,
      out: true,
      '**/*.{tmp,bak}': true,
      'docs/private/**': true,
      'coverage': false,
      '**/*.js': { when: '$(basename).ts' },
      '**/{dist,build}/': true,
    },
  });
  assert.equal(reasonOf(filter, 'a/b/.DS_Store'), 'files.exclude: **/.DS_Store');
  assert.equal(reasonOf(filter, 'out/main.js'), 'files.exclude: out');
  assert.equal(reasonOf(filter, 'packages/x/out/main.js'), undefined, 'VS Code needs **/out to match below the root');
  assert.equal(reasonOf(filter, 'x/y.tmp'), 'files.exclude: **/*.{tmp,bak}');
  assert.equal(reasonOf(filter, 'a.bak'), 'files.exclude: **/*.{tmp,bak}');
  assert.equal(reasonOf(filter, 'docs/private/a/b.md'), 'files.exclude: docs/private/**');
  assert.equal(reasonOf(filter, 'docs/public/a.md'), undefined);
  assert.equal(reasonOf(filter, 'coverage/index.html'), undefined);
  assert.equal(reasonOf(filter, 'src/a.js'), undefined, '`when` conditions are not evaluated');
  assert.equal(reasonOf(filter, 'pkg/dist/a.js'), 'files.exclude: **/{dist,build}/');
});

test('glob helpers: brace expansion and literal VS Code characters', () => {
  assert.deepEqual(expandBraces('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(expandBraces('**/*.{ts,tsx}'), ['**/*.ts', '**/*.tsx']);
  assert.deepEqual(expandBraces('odd{'), ['odd{']);
  assert.deepEqual(
    filesExcludePatterns({ '!important': true, '#notes': true, 'a\\b': true }).map((p) => p.pattern),
    ['/\\!important', '/\\#notes', '/a/b'],
  );
});

test('paths: forward or back slashes, ./, folders; anything leaving the workspace is excluded', async () => {
  const root = await workspace({ '.gitignore': 'tmp/\n' });
  const filter = await PrivacyFilter.load(root);
  assert.equal(reasonOf(filter, './tmp/a.txt'), '.gitignore: tmp/');
  assert.equal(reasonOf(filter, 'src\\.env'), 'default deny list: .env');
  assert.equal(reasonOf(filter, 'tmp/'), '.gitignore: tmp/');
  assert.equal(reasonOf(filter, '../outside.ts'), 'outside the workspace');
  assert.equal(reasonOf(filter, '/etc/passwd'), 'outside the workspace');
  assert.equal(reasonOf(filter, 'C:/Users/x/a.ts'), 'outside the workspace');
  assert.equal(reasonOf(filter, ''), 'outside the workspace');
  assert.equal(reasonOf(filter, 'src/ok.ts'), undefined);
});

test('folder names with glob characters are matched literally', async () => {
  const root = await workspace({ 'a[1]/.gitignore': 'x\n', 'a1/x': '', 'a[1]/y': '', '#tag/.gitignore': 'z\n' });
  const filter = await PrivacyFilter.load(root);
  assert.equal(reasonOf(filter, 'a[1]/x'), 'a[1]/.gitignore: x');
  assert.equal(reasonOf(filter, 'a1/x'), undefined);
  assert.equal(reasonOf(filter, '#tag/deep/z'), '#tag/.gitignore: z');
});

test('.git/info/exclude is honoured', async () => {
  const root = await workspace({ '.git/info/exclude': 'scratch/\n' });
  const filter = await PrivacyFilter.load(root);
  assert.equal(reasonOf(filter, 'scratch/a.ts'), '.git/info/exclude: scratch/');
});

test('filterFiles keeps input order and gives a reason for each exclusion', async () => {
  const filter = await PrivacyFilter.load(await workspace({ '.gitignore': 'build/\n' }));
  assert.deepEqual(filter.filterFiles(['src/a.ts', '.env', 'build/x.js', 'README.md']), {
    included: ['src/a.ts', 'README.md'],
    excluded: [
      { path: '.env', reason: 'default deny list: .env' },
      { path: 'build/x.js', reason: '.gitignore: build/' },
    ],
  });
});

test('fails closed: an unreadable .tiercelignore excludes its folder, and so does an unscanned folder', async () => {
  const { fs } = fakeFs(
    { 'locked/.tiercelignore': 'x\n', 'locked/a.ts': '', 'open/a.ts': '', 'open/deep/b.ts': '' },
    { 'locked/.tiercelignore': 'EACCES' },
  );
  const filter = await PrivacyFilter.load('/root', { fs });
  assert.equal(reasonOf(filter, 'locked/a.ts'), 'could not read locked/.tiercelignore');
  assert.equal(reasonOf(filter, 'open/a.ts'), undefined);

  const limited = await PrivacyFilter.load('/root', { fs: fakeFs({ 'a/b/c/d.ts': '', 'top.ts': '' }).fs, maxFolders: 2 });
  assert.equal(reasonOf(limited, 'top.ts'), undefined);
  assert.equal(reasonOf(limited, 'a/x.ts'), undefined);
  assert.match(reasonOf(limited, 'a/b/c/d.ts') ?? '', /not scanned for ignore files \(more than 2 folders\)/);
});

test('a workspace with no ignore files excludes only the deny list', async () => {
  const filter = await PrivacyFilter.load(path.join(os.tmpdir(), 'tiercel-does-not-exist-' + process.pid));
  assert.equal(reasonOf(filter, 'src/a.ts'), undefined);
  assert.equal(reasonOf(filter, '.env'), 'default deny list: .env');
});

test('.gitignore decisions agree with git check-ignore on the same tree', async () => {
  const root = await workspace({
    '.gitignore': 'build/\n*.log\n!keep.log\n/top-only.txt\nlogs/\n**/cache/**\n!**/cache/README\n',
    'pkg/.gitignore': 'generated/\n/local.txt\n!important.log\ndocs/*.tmp\n!logs/\n*.snap\n',
    'pkg/sub/.gitignore': '!b.snap\n',
  });
  const { execFileSync } = await import('node:child_process');
  execFileSync('git', ['init', '-q'], { cwd: root });
  const paths = [
    'build/out.js', 'pkg/build/out.js', 'debug.log', 'keep.log', 'top-only.txt', 'pkg/top-only.txt',
    'pkg/generated/a.ts', 'pkg/sub/generated/a.ts', 'generated/a.ts', 'pkg/local.txt', 'pkg/sub/local.txt',
    'pkg/docs/a.tmp', 'pkg/sub/docs/a.tmp', 'pkg/important.log', 'pkg/sub/important.log', 'other/important.log',
    'logs/a.txt', 'pkg/logs/a.txt', 'cache/x', 'a/cache/y/z', 'a/cache/README', 'pkg/a.snap', 'pkg/sub/b.snap', 'src/index.ts',
  ];
  const filter = await PrivacyFilter.load(root);
  let gitOut: string;
  try {
    gitOut = execFileSync('git', ['check-ignore', '--no-index', ...paths], { cwd: root, encoding: 'utf8' });
  } catch (error) {
    gitOut = String((error as { stdout?: string }).stdout ?? '');
  }
  const gitIgnored = new Set(gitOut.split('\n').filter(Boolean));
  for (const p of paths) assert.equal(filter.isExcluded(p).excluded, gitIgnored.has(p), `${p}: git says ${gitIgnored.has(p)}`);
});
