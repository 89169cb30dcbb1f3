/**
 * Secret redaction: each pattern on a realistic line, the values it must leave alone, the shape of
 * the output (line numbers kept, diffs still parse), and the false-positive rate on real source
 * code from node_modules.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { redactSecrets, SECRET_KINDS, type SecretKind } from '../../../src/core/privacy/redact';

const ROOT = path.resolve(__dirname, '../../..');
const NODE_MODULES = path.join(ROOT, 'node_modules');

// Built by concatenation so this file does not itself trip secret scanners.
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY';
const BASE64_LINE = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun';

function one(input: string, kind: SecretKind, expected: string) {
  const result = redactSecrets(input);
  assert.deepEqual(result.redactions.map((r) => r.kind), [kind], `${input} → ${result.text}`);
  assert.equal(result.text, expected);
}

test('provider keys and tokens are replaced by their kind, the code around them intact', () => {
  one(`const key = "sk-ant-api03-${'a1B2c3D4e5'.repeat(5)}";`, 'anthropic-key', 'const key = "[REDACTED:anthropic-key]";');
  one(`OPENAI_API_KEY=sk-proj-${'Ab3dEf6hIj'.repeat(4)}`, 'openai-key', 'OPENAI_API_KEY=[REDACTED:openai-key]');
  one(`openai.api_key = 'sk-${'aB1cD2eF3g'.repeat(4)}T3BlbkFJ'`, 'openai-key', "openai.api_key = '[REDACTED:openai-key]'");
  one(`aws_access_key_id = ${AWS_ID}`, 'aws-access-key', 'aws_access_key_id = [REDACTED:aws-access-key]');
  one(`creds = {"AccessKeyId": "ASIA${'ABCDEFGH12345678'}"}`, 'aws-access-key', 'creds = {"AccessKeyId": "[REDACTED:aws-access-key]"}');
  one(`aws_secret_access_key = ${AWS_SECRET}`, 'aws-secret-key', 'aws_secret_access_key = [REDACTED:aws-secret-key]');
  one(`  secretAccessKey: "${AWS_SECRET}",`, 'aws-secret-key', '  secretAccessKey: "[REDACTED:aws-secret-key]",');
  one(`token: ghp_${'aBcDeF1234'.repeat(4)}`, 'github-token', 'token: [REDACTED:github-token]');
  for (const prefix of ['gho_', 'ghu_', 'ghs_', 'ghr_']) {
    assert.equal(redactSecrets(`x ${prefix}${'Z9y8X7w6V5'.repeat(4)} y`).text, 'x [REDACTED:github-token] y');
  }
  one(`url = "github_pat_11ABCDEFG0${'123456789_abcdefghij'.repeat(3)}"`, 'github-token', 'url = "[REDACTED:github-token]"');
  one('GITLAB_TOKEN=glpat-Xy9zAbCdEf12GhIjKlMn', 'gitlab-token', 'GITLAB_TOKEN=[REDACTED:gitlab-token]');
  one('slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp"', 'slack-token', 'slack = "[REDACTED:slack-token]"');
  one('curl https://hooks.slack.com/services/T0ABC1234/B0DEF5678/AbCdEfGh12345678', 'slack-webhook', 'curl https://hooks.slack.com/services/[REDACTED:slack-webhook]');
  one('stripe.api_key = "sk_live_' + '51HxYzAbCdEfGh12345678"', 'stripe-key', 'stripe.api_key = "[REDACTED:stripe-key]"');
  one('const r = "rk_live_' + 'AbCdEfGh12345678IjKl";', 'stripe-key', 'const r = "[REDACTED:stripe-key]";');
  one(`const maps = "AIza${'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'}";`, 'google-api-key', 'const maps = "[REDACTED:google-api-key]";');
  one(`//registry.npmjs.org/:_authToken=npm_${'AbCdEf1234'.repeat(3)}AbCdEf`, 'npm-token', '//registry.npmjs.org/:_authToken=[REDACTED:npm-token]');
  one(`HF=hf_${'AbCdEfGh12'.repeat(3)}AbCd`, 'huggingface-token', 'HF=[REDACTED:huggingface-token]');
});

test('JWTs, bearer tokens and private key blocks', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  one(`auth: "${jwt}"`, 'jwt', 'auth: "[REDACTED:jwt]"');
  one(`headers: { Authorization: "Bearer ${'a1b2c3d4e5'.repeat(3)}" }`, 'bearer-token', 'headers: { Authorization: "Bearer [REDACTED:bearer-token]" }');
  // A JWT sent as a bearer token is one redaction, of the more specific kind.
  one(`Authorization: Bearer ${jwt}`, 'jwt', 'Authorization: Bearer [REDACTED:jwt]');

  const pem = [
    'const key = `-----BEGIN RSA PRIVATE KEY-----',
    BASE64_LINE,
    BASE64_LINE,
    'aBcD==',
    '-----END RSA PRIVATE KEY-----`;',
    'sign(key);',
  ].join('\n');
  const result = redactSecrets(pem);
  assert.deepEqual(result.redactions, [{ kind: 'private-key', line: 1 }]);
  assert.equal(result.text, 'const key = `[REDACTED:private-key]\n\n\n\n`;\nsign(key);');
  assert.equal(result.text.split('\n').length, pem.split('\n').length, 'line numbers after the block are kept');

  // Inside JSON (a service-account file pasted into code), with `\n` escapes.
  one(
    `"private_key": "-----BEGIN PRIVATE KEY-----\\n${BASE64_LINE}\\n${BASE64_LINE}\\n-----END PRIVATE KEY-----\\n",`,
    'private-key',
    '"private_key": "[REDACTED:private-key]\\n",',
  );
  // OpenSSH and PGP armour, and a block cut off before its END line.
  one(`-----BEGIN OPENSSH PRIVATE KEY-----\n${BASE64_LINE}\n-----END OPENSSH PRIVATE KEY-----`, 'private-key', '[REDACTED:private-key]\n\n');
  one(
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${BASE64_LINE}\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----`,
    'private-key',
    '[REDACTED:private-key]\n\n\n\n\n',
  );
  one(`-----BEGIN EC PRIVATE KEY-----\n${BASE64_LINE}\n${BASE64_LINE}`, 'private-key', '[REDACTED:private-key]\n\n');
});

test('connection strings lose only their password', () => {
  const cases: Array<[string, string]> = [
    ['DATABASE_URL="postgres://admin:s3cr3t-P%40ss@db.example.com:5432/app"', 'DATABASE_URL="postgres://admin:[REDACTED:connection-password]@db.example.com:5432/app"'],
    ['postgresql://u:pw9Xk2@localhost/db', 'postgresql://u:[REDACTED:connection-password]@localhost/db'],
    ['mongodb+srv://app:Hunter2Pass@cluster0.abcde.mongodb.net/test?retryWrites=true', 'mongodb+srv://app:[REDACTED:connection-password]@cluster0.abcde.mongodb.net/test?retryWrites=true'],
    ['mysql://root:rootpw@127.0.0.1:3306/shop', 'mysql://root:[REDACTED:connection-password]@127.0.0.1:3306/shop'],
    ["redis.from_url('redis://:myRedisPass99@cache:6379/0')", "redis.from_url('redis://:[REDACTED:connection-password]@cache:6379/0')"],
    ['amqps://guest:guestpw12@rabbit.internal:5671', 'amqps://guest:[REDACTED:connection-password]@rabbit.internal:5671'],
  ];
  for (const [input, expected] of cases) one(input, 'connection-password', expected);
  for (const input of [
    'postgres://user:${DB_PASSWORD}@db/app',
    'postgres://user:<password>@db/app',
    'redis://localhost:6379/0',
    'git@github.com:org/repo.git',
    'ssh://git@github.com:22/org/repo',
    'http://example.com:8080/path?a=b@c',
  ]) {
    assert.deepEqual(redactSecrets(input).redactions, [], input);
  }
});

test('generic secret assignments: the value goes when it looks like a secret, and only then', () => {
  const cases: Array<[string, string]> = [
    ['db_password = "Tr0ub4dor&3"', 'db_password = "[REDACTED:secret-assignment]"'],
    ['  "api_key": "a8f5f167f44f4964e6c998dee827110c",', '  "api_key": "[REDACTED:secret-assignment]",'],
    ["client_secret='9f8e7d6c5b4a39281706f5e4d3c2b1a0'", "client_secret='[REDACTED:secret-assignment]'"],
    ['const authToken = `tk_9f8e7d6c5b4a3928`;', 'const authToken = `[REDACTED:secret-assignment]`;'],
    ['SECRET_KEY: "django-insecure-8x#k2!q@z"', 'SECRET_KEY: "[REDACTED:secret-assignment]"'],
    ['conn := Config{Password: "p4ssW0rd!2024"}', 'conn := Config{Password: "[REDACTED:secret-assignment]"}'],
    ['requests.get(url, token="abc123def456ghi789")', 'requests.get(url, token="[REDACTED:secret-assignment]")'],
    // Config-file lines may leave the value unquoted.
    ['API_TOKEN=cbdeb34vzyuk5l4gxc4qfczn3lko3avfkfqyb47etahq6axpcqha', 'API_TOKEN=[REDACTED:secret-assignment]'],
    ['export DB_PASSWORD=s3cr3t!Pass', 'export DB_PASSWORD=[REDACTED:secret-assignment]'],
    ['  password: s3cr3tP@ss  # prod', '  password: [REDACTED:secret-assignment]  # prod'],
  ];
  for (const [input, expected] of cases) one(input, 'secret-assignment', expected);

  const untouched = [
    'password = ""',
    "password = ''",
    'token = None',
    'token = null;',
    'const token = nextToken();',
    'token = scanner.scan()',
    'if (typeof token === "string") return token;',
    'if password == "hunter2hunter2": pass',
    'password: "Enter your password"',
    'passwordLabel = "Password (8+ characters)"',
    'const tokenizer = "qwen2.5-coder-7b-instruct";',
    'tokenType: "access_token",',
    'credentials: "include",',
    'secretName = "prod-db-credentials"',
    'export const SECRET_KEY = process.env.SECRET_KEY;',
    'api_key = os.environ["OPENAI_API_KEY"]',
    'password = getpass.getpass()',
    'token: string;',
    'incompatibleTokens: string[];',
    'apiKey: "YOUR_API_KEY"',
    'password: "changeme"',
    'password = "xxxxxxxxxxxx"',
    'token = "${{ secrets.GITHUB_TOKEN }}"',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'TOKEN_URL = "https://oauth2.googleapis.com/token"',
    'secret_path = "config/secrets/prod.json"',
    'token = "color.primary.500"',
    'password_version = "1.2.30"',
    'self.password = password',
    'pwd = os.getcwd()',
  ];
  for (const input of untouched) assert.deepEqual(redactSecrets(input).redactions, [], input);
});

test('redactions report the line each secret started on, in order', () => {
  const text = ['line one', `key = "${AWS_ID}"`, 'ok', `a = "ghp_${'aBcDeF1234'.repeat(4)}" b = "${AWS_ID}"`].join('\n');
  const result = redactSecrets(text);
  assert.deepEqual(result.redactions, [
    { kind: 'aws-access-key', line: 2 },
    { kind: 'github-token', line: 4 },
    { kind: 'aws-access-key', line: 4 },
  ]);
  assert.equal(result.text.split('\n').length, 4);
  assert.deepEqual(redactSecrets('nothing here').redactions, []);
  assert.deepEqual(redactSecrets('').redactions, []);
});

test('a value matched by a specific pattern and a generic one is redacted once, as the specific kind', () => {
  one(`GITHUB_TOKEN = "ghp_${'aBcDeF1234'.repeat(4)}"`, 'github-token', 'GITHUB_TOKEN = "[REDACTED:github-token]"');
  one(`aws_secret_access_key = "${AWS_SECRET}"`, 'aws-secret-key', 'aws_secret_access_key = "[REDACTED:aws-secret-key]"');
  one(`db_password = "postgres://app:pw9Xk2Lm@db/app"`, 'connection-password', 'db_password = "postgres://app:[REDACTED:connection-password]@db/app"');
});

test('in a diff, a multi-line secret keeps each line’s +/-/space marker so the hunk still parses', () => {
  const diff = ['@@ -1,2 +1,6 @@', ' a', '+-----BEGIN EC PRIVATE KEY-----', `+${BASE64_LINE}`, `+${BASE64_LINE}`, '+-----END EC PRIVATE KEY-----', ' b'].join('\n');
  const result = redactSecrets(diff, { diff: true });
  assert.deepEqual(result.redactions, [{ kind: 'private-key', line: 3 }]);
  assert.equal(result.text, ['@@ -1,2 +1,6 @@', ' a', '+[REDACTED:private-key]', '+', '+', '+', ' b'].join('\n'));
});

test('code that handles PEM text is not mistaken for a key', () => {
  const code = [
    "const BEGIN = '-----BEGIN PRIVATE KEY-----';",
    "const END = '-----END PRIVATE KEY-----';",
    'if (pem.startsWith(BEGIN) && pem.trimEnd().endsWith(END)) return parse(pem);',
    '// Accepts -----BEGIN RSA PRIVATE KEY----- and -----END RSA PRIVATE KEY----- armour.',
  ].join('\n');
  assert.deepEqual(redactSecrets(code).redactions, []);
});

test('every kind is documented and listed once', () => {
  assert.equal(new Set(SECRET_KINDS).size, SECRET_KINDS.length);
  assert.ok(SECRET_KINDS.includes('private-key') && SECRET_KINDS.includes('secret-assignment'));
});

/** Every file under `dir` whose name passes `keep`. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function redactionsIn(files: string[]): Array<{ file: string; line: number; kind: string }> {
  const found: Array<{ file: string; line: number; kind: string }> = [];
  for (const file of files) {
    for (const r of redactSecrets(readFileSync(file, 'utf8')).redactions) found.push({ file: path.relative(ROOT, file), ...r });
  }
  return found;
}

test('no false positives on real source code: ollama, typescript, the Anthropic SDK, zod, Tiercel itself', () => {
  const code = (name: string) => /\.(c?js|mjs|d\.ts|d\.mts|ts)$/.test(name) && !name.endsWith('.map');
  const files = [
    ...filesUnder(path.join(NODE_MODULES, 'ollama/dist'), code),
    ...filesUnder(path.join(NODE_MODULES, 'typescript/lib'), (n) => /^lib\..*\.d\.ts$/.test(n) || n === 'typescript.js'),
    ...filesUnder(path.join(NODE_MODULES, '@anthropic-ai/sdk'), code),
    ...filesUnder(path.join(NODE_MODULES, 'zod/v4'), code),
    ...filesUnder(path.join(ROOT, 'src'), code),
  ];
  assert.ok(files.length > 500, `${files.length} files`);
  const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);
  assert.ok(bytes > 15_000_000, `${bytes} bytes`);
  const found = redactionsIn(files);
  assert.deepEqual(found, [], `false positives in ${files.length} files (${(bytes / 1e6).toFixed(1)} MB)`);
});

test('near-zero on API docs full of URL examples: @types/node redacts only the user:pass@ examples', () => {
  const found = redactionsIn(filesUnder(path.join(NODE_MODULES, '@types/node'), (n) => n.endsWith('.d.ts')));
  assert.ok(found.length <= 5, JSON.stringify(found));
  for (const f of found) assert.equal(f.kind, 'connection-password', JSON.stringify(f));
});

test('linear time on adversarial input (1 MB in well under a second per pattern family)', () => {
  const inputs = [
    'a'.repeat(1_000_000),
    'token = '.repeat(120_000),
    'x-y.z_'.repeat(170_000),
    '-----BEGIN PRIVATE KEY-----\n'.repeat(20_000) + 'QUJD'.repeat(20_000),
    'http://u:'.repeat(110_000),
    `${'secret_'.repeat(140_000)}= "x"`,
  ];
  for (const input of inputs) {
    const started = performance.now();
    redactSecrets(input);
    const ms = performance.now() - started;
    assert.ok(ms < 1500, `${input.slice(0, 20)}…: ${ms.toFixed(0)} ms`);
  }
});

test('an unencoded @ in a connection password does not leave the password’s tail behind', () => {
  one('postgres://app:p@ss-w0rd@db.internal:5432/app', 'connection-password', 'postgres://app:[REDACTED:connection-password]@db.internal:5432/app');
});
