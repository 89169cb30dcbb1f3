/**
 * The secret detectors redactSecrets runs, by kind. Patterns are specific where a format is (`ghp_…`,
 * `AKIA…`, PEM blocks) and guarded by the name and shape of the value where it is not
 * (`password = "…"`), because a redaction in ordinary code costs review quality: the false-positive
 * tests run these over real library sources (test/core/privacy/redact.test.ts) and the secrets corpus
 * holds look-alikes beside every kind (test/fixtures/secrets).
 *
 * Every text that leaves for Claude comes through here in whatever shape its sender gives it: a file
 * as is, a diff (`+`, `-` or a space before each line), a review's numbered lines (`12| …`), a chat
 * message quoting either. So the detectors anchored at a line's start accept those prefixes too.
 */

export type SecretKind =
  | 'private-key'
  | 'anthropic-key'
  | 'openai-key'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'azure-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'stripe-key'
  | 'google-api-key'
  | 'npm-token'
  | 'pypi-token'
  | 'huggingface-token'
  | 'sendgrid-key'
  | 'twilio-token'
  | 'provider-token'
  | 'jwt'
  | 'bearer-token'
  | 'basic-auth'
  | 'connection-password'
  | 'url-parameter'
  | 'command-line-password'
  | 'credential-argument'
  | 'kubernetes-secret'
  | 'secret-assignment';

export interface Detector {
  kind: SecretKind;
  /** Global, with indices (`d`), so a capture group's offsets are known. */
  pattern: RegExp;
  /** Which capture group is the secret (0: the whole match); the first group that took part if several. */
  groups?: number[];
  accept?: (secret: string) => boolean;
  /**
   * Runs only inside these [start, end) ranges of the text (each starting at a line start). A text may
   * hold several files (a whole review prompt), and what makes one file's values secret must not reach
   * into the next.
   */
  within?: (text: string) => Array<[number, number]>;
}

// Body of a PEM block as it appears in files, JSON strings (`\n` escapes), string concatenation,
// diffs and numbered lines (`12| `). It has no `;`, `(` or `{`, so code between a BEGIN and an END
// literal does not match, and no `-----`, so a scan from one BEGIN stops at the next armour line
// (linear time on any input).
const PEM_BODY = String.raw`(?:[A-Za-z0-9+/=\s"'\x60\\,:.#|]|-(?!----))`;
const PEM_BEGIN = String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = String.raw`-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;

// Names whose assigned value is a secret: the keyword ends the name (`dbPassword`, `GITHUB_TOKEN`,
// `client_secret`, `apiKeyValue`, `secret_key_base`), so `tokenizer`, `tokenType` and `passwordField`
// are not matched.
const SECRET_KEYWORD = String.raw`(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?|salt)`;
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*?${SECRET_KEYWORD}s?(?:[_-]?(?:key|value|str|string|base))?`;
// The same in an environment variable's spelling, case-sensitive: `PGPASSWORD`, `MYSQL_ROOT_PASSWORD`.
const ENV_SECRET_NAME = String.raw`[A-Z0-9_]*?(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY|CREDENTIALS?)(?:_(?:KEY|VALUE|BASE))?`;
const ASSIGN = String.raw`\s*(?::=|=>|[:=])\s*`;
// What may stand before a config line's text: a review's line number (`12| `), a diff marker, a
// YAML list dash, a shell or Dockerfile keyword, PowerShell's `$env:`.
const LINE_START = String.raw`[ \t]*(?:\d+\|[ \t]?)?[ \t]*(?:[+-](?!--)[ \t]*)?(?:-[ \t]+)?`;
const LINE_PREFIX = String.raw`${LINE_START}(?:(?:export|set|setx|readonly|declare[ \t]+-x|ENV)[ \t]+|\$env:)?`;
// The rest of a config line as a value: a `#` starts a comment only after a space, as in YAML and
// shells; a closing quote (`- "NAME=value"`) is not part of it, and a line ending in `,` or `;` is
// code (`token: token,`), not config.
const UNQUOTED_VALUE = String.raw`([^\s'"\x60]*[^\s'"\x60,;])["']?[ \t]*(?:[ \t]#.*)?$`;
// A string literal in any of the usual quotes, its body captured (three groups, one per quote).
const LITERAL = String.raw`(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|\x60((?:[^\x60\\\n]|\\.)*)\x60)`;
/** A literal that is not captured, for the arguments before the secret one. */
const ANY_LITERAL = String.raw`(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`;

/** Query and connection-string parameters that carry a secret (`?api_key=`, `;AccountKey=`). */
const SECRET_PARAMS = String.raw`api[_-]?key|apikey|app[_-]?(?:id|key)|appkey|access[_-]?(?:key|token)|auth[_-]?token|token|key|secret|client[_-]?secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-security-token|(?:private|refresh|session|id)[_-]?token|accountkey|sharedaccesskey|sharedsecretvalue|user[ _]password`;

export const DETECTORS: readonly Detector[] = [
  {
    kind: 'private-key',
    pattern: new RegExp(`${PEM_BEGIN}${PEM_BODY}*?${PEM_END}`, 'gd'),
    accept: looksLikeKeyMaterial,
  },
  {
    // A block cut off before its END line (a truncated file or hunk): the BEGIN line and the
    // base64 that follows it.
    kind: 'private-key',
    pattern: new RegExp(String.raw`${PEM_BEGIN}(?:(?:\s|\\[nr]|["'\x60,|]|\d+\|)*[A-Za-z0-9+/=]{16,})+`, 'gd'),
    accept: looksLikeKeyMaterial,
  },
  {
    // A PEM private key, base64-encoded once more (a Kubernetes `tls.key`, a CI variable): `LS0tLS1CRUdJTi`
    // is `-----BEGIN` in base64.
    kind: 'private-key',
    pattern: /LS0tLS1CRUdJTi[A-Za-z0-9+/]{16,}={0,2}/dg,
    accept: (b64) => /PRIVATE KEY/.test(Buffer.from(b64, 'base64').toString('latin1')),
  },
  { kind: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/dg },
  { kind: 'openai-key', pattern: /\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}/dg },
  { kind: 'openai-key', pattern: /\bsk-[A-Za-z0-9]{32,}\b/dg, accept: hasLetterAndDigit },
  { kind: 'github-token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/dg },
  { kind: 'github-token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/dg },
  { kind: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/dg },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/dg, accept: hasDigit },
  { kind: 'slack-token', pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}/dg },
  { kind: 'slack-webhook', pattern: /hooks\.slack\.com\/services\/(T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{8,})/dg, groups: [1] },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/dg },
  { kind: 'stripe-key', pattern: /\bwhsec_[A-Za-z0-9]{24,}/dg },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/dg },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/dg },
  { kind: 'pypi-token', pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/dg },
  { kind: 'huggingface-token', pattern: /\bhf_[A-Za-z0-9]{34,}\b/dg, accept: hasLetterAndDigit },
  { kind: 'sendgrid-key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/dg },
  {
    // Formats with a registered prefix: Shopify, DigitalOcean, Databricks, Atlassian, Linear, Postman,
    // Grafana, New Relic, HashiCorp Vault, age, Doppler, Telegram bots, Mailgun, Twilio API keys.
    kind: 'provider-token',
    pattern:
      /\b(?:shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|dop_v1_[a-f0-9]{64}|dapi[a-f0-9]{32}|ATATT3[A-Za-z0-9_=-]{50,}|lin_api_[A-Za-z0-9]{40}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}|gl(?:c|sa)_[A-Za-z0-9_+/=-]{32,}|NRAK-[A-Z0-9]{27}|hv[sb]\.[A-Za-z0-9_-]{24,}|AGE-SECRET-KEY-1[0-9A-Z]{58}|dp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40,}|\d{8,10}:AA[A-Za-z0-9_-]{33}|key-[a-f0-9]{32}|SK[a-f0-9]{32})\b/dg,
  },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}\b/dg },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/dg },
  {
    // A Twilio auth token is 32 hex digits, like any MD5: it is known by the account SID beside it
    // (`Client("AC…", "…")`, `twilio(sid, token)` with literals).
    kind: 'twilio-token',
    pattern: /\bAC[a-f0-9]{32}["'\x60]?\s*,\s*["'\x60]([a-f0-9]{32})["'\x60]/dg,
    groups: [1],
  },
  {
    // scheme://user:password@host: only the password goes. Greedy to the authority's last `@`, so an
    // unencoded `@` in the password does not leave its tail behind.
    kind: 'connection-password',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:([^\s'"`/]+)@/dgi,
    groups: [1],
    accept: (secret) => !isPlaceholder(secret) && !/^(?:pass|passwd|pw|pwd|pa\$\$word|abc|xyz|bar|baz|foo)$/i.test(secret),
  },
  {
    // Azure storage, Service Bus and Event Hubs connection strings, ADO.NET and ODBC ones
    // (`…;AccountKey=…;`, `…;Password=…;`), JDBC and URL query strings (`?api_key=…`, `&password=…`).
    kind: 'url-parameter',
    // A badge image's `?token=` is a read-only graph token published on purpose (codecov).
    pattern: new RegExp(String.raw`(?<=[?&;])(?<!\.svg\?[^\s?]*)[ \t]*(?:${SECRET_PARAMS})[ \t]*=[ \t]*([^\s;&#'"\x60<>]+)`, 'dgi'),
    groups: [1],
    accept: looksLikeParameterSecret,
  },
  {
    kind: 'aws-secret-key',
    pattern: /(?<![\w.-])[A-Za-z0-9_.-]*secret[_.-]?(?:access[_.-]?)?key["']?\s*(?::=|=>|[:=])\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
    groups: [1],
    accept: (secret) => /[a-z]/.test(secret) && /[A-Z]/.test(secret) && entropy(secret) >= 3.5,
  },
  {
    kind: 'bearer-token',
    pattern: /\bBearer\s+([A-Za-z0-9._~+/-]{20,}=*)/dg,
    groups: [1],
    accept: (secret) => hasLetterAndDigit(secret) && entropy(secret) >= 3,
  },
  {
    // `Authorization: Basic <base64 of user:password>`.
    kind: 'basic-auth',
    pattern: /\bBasic[ \t]+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/dg,
    groups: [1],
    accept: (b64) => /^[\x20-\x7e]+:[\x20-\x7e]+$/.test(Buffer.from(b64, 'base64').toString('latin1')),
  },
  {
    // `curl -u user:password`, `wget --user=… --password=…` is the long-option detector's.
    kind: 'command-line-password',
    pattern: /(?<=\s)(?:-u|--user)(?:[ \t]+|=)["']?[^\s:'"$]+:([^\s'"@]+)/dg,
    groups: [1],
    accept: looksLikePassword,
  },
  {
    // `mysql -p'…'`, `mysqldump -pSECRET`: the value is attached to `-p`.
    kind: 'command-line-password',
    pattern: /\b(?:mysql\w*|mariadb\w*)\b[^\n]*?[ \t]-p(?:'([^'\n]+)'|"([^"\n]+)"|([^\s'"]+))/dg,
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // `sshpass -p …`, `docker login -p …`: a separate argument.
    kind: 'command-line-password',
    pattern: /\b(?:sshpass|(?:docker|podman|buildah|nerdctl|helm(?:[ \t]+registry)?|oras|skopeo)[ \t]+login)\b[^\n]*?[ \t](?:-p|--password)(?:[ \t]+|=)(?:'([^'\n]+)'|"([^"\n]+)"|([^\s'"]+))/dg,
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // `--password=…`, `--api-token …`, `--client-secret '…'`.
    kind: 'command-line-password',
    pattern: /(?<=\s)--[\w-]*?(?:password|passwd|token|secret|api-?key|access-key)(?:=|[ \t]+)(?:'([^'\n]+)'|"([^"\n]+)"|([^\s'"]+))/dg,
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // Credentials passed as arguments: `auth=("user", "…")`, `HTTPBasicAuth(…)`, `SetBasicAuth(…)`,
    // `req.basic_auth "user", "…"`, `s.login("user", "…")`, `getConnection(url, "user", "…")`,
    // `new NetworkCredential("user", "…")`, Faraday's `:basic, "user", "…"`.
    kind: 'credential-argument',
    pattern: new RegExp(
      String.raw`(?:\bauth[ \t]*=[ \t]*\(|\b(?:HTTP(?:Basic|Digest|Proxy)Auth|[Bb]asic_?[Aa]uth|[Ss]et[Bb]asic[Aa]uth|login|PSCredential|NetworkCredential|UsernamePasswordCredentials|PasswordAuthentication|getConnection)(?:[ \t]*\(|[ \t]+)|:basic[ \t]*,)[ \t]*(?:[^,()"'\n]+,[ \t]*)?${ANY_LITERAL}[ \t]*,[ \t]*${LITERAL}`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // Signing keys as arguments: `jwt.sign(payload, '…')`, `createHmac('sha256', '…')`, `hmac.new(b'…'`,
    // PowerShell's `ConvertTo-SecureString "…" -AsPlainText`.
    kind: 'credential-argument',
    pattern: new RegExp(
      String.raw`(?:\bjwt\.(?:sign|verify|encode|decode)[ \t]*\([^,()\n]+,[ \t]*|\bcreateHmac[ \t]*\([ \t]*${ANY_LITERAL}[ \t]*,[ \t]*|\bhmac\.new[ \t]*\([ \t]*b?|\bConvertTo-SecureString[ \t]+(?:-String[ \t]+)?)${LITERAL}`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // A secret's name as a string, then its value: PHP's `define('DB_PASSWORD', '…')`, WordPress salts,
    // `os.environ.setdefault("API_KEY", "…")`, `headers.set('X-Api-Key', '…')`.
    kind: 'secret-assignment',
    pattern: new RegExp(String.raw`["'](?:${SECRET_NAME}|(?:SECURE_AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT))["'][ \t]*,[ \t]*${LITERAL}`, 'dgi'),
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // XML: `<password>…</password>`, `<add key="ApiKey" value="…"/>`, `<property name="password" value="…"/>`.
    kind: 'secret-assignment',
    pattern: new RegExp(String.raw`<(${SECRET_NAME})>([^<\s]+)</\1>|\b(?:key|name)="${SECRET_NAME}"[ \t]+value="([^"\n]*)"`, 'dgi'),
    groups: [2, 3],
    accept: looksLikeSecretValue,
  },
  {
    // A Kubernetes container's env list: `- name: DB_PASSWORD` then `value: …` on the next line.
    kind: 'secret-assignment',
    pattern: new RegExp(
      String.raw`\bname:[ \t]*["']?${SECRET_NAME}["']?[ \t]*\r?\n${LINE_PREFIX}value:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s'"#][^\s#]*))`,
      'dgi',
    ),
    groups: [1, 2, 3],
    accept: looksLikePassword,
  },
  {
    // Values under `data:` in a Kubernetes Secret are base64 of the secret itself, whatever the key's name.
    kind: 'kubernetes-secret',
    within: kubernetesSecretDocuments,
    pattern: new RegExp(String.raw`^${LINE_PREFIX}[\w.-]+:[ \t]+["']?([A-Za-z0-9+/]{8,}={0,2})["']?[ \t]*$`, 'dgm'),
    groups: [1],
    accept: (b64) => b64.length % 4 === 0 && !/^[a-z]+$/i.test(b64),
  },
  {
    // name = "value" in code and config: JS, Python, Go, YAML, JSON, TOML, shell.
    kind: 'secret-assignment',
    pattern: new RegExp(String.raw`(?<![\w.-])${SECRET_NAME}["']?${ASSIGN}${LITERAL}`, 'dgi'),
    groups: [1, 2, 3],
    accept: looksLikeSecretValue,
  },
  {
    // Unquoted, only as a whole config line (`.ini`, `.properties`, YAML, shell, compose list items,
    // Dockerfile `ENV`), after any diff marker or line number: in code an unquoted right-hand side is
    // an expression.
    kind: 'secret-assignment',
    pattern: new RegExp(
      String.raw`^${LINE_PREFIX}["']?${SECRET_NAME}["']?[ \t]*[:=][ \t]*${UNQUOTED_VALUE}`,
      'dgim',
    ),
    groups: [1],
    accept: looksLikeUnquotedSecret,
  },
  {
    // Dockerfile's older `ENV NAME value`.
    kind: 'secret-assignment',
    pattern: new RegExp(String.raw`^${LINE_START}ENV[ \t]+${SECRET_NAME}[ \t]+${UNQUOTED_VALUE}`, 'dgim'),
    groups: [1],
    accept: looksLikeUnquotedSecret,
  },
  {
    // A shell variable set for one command: `PGPASSWORD=… psql`, `docker run -e API_KEY=… img`.
    kind: 'secret-assignment',
    pattern: new RegExp(String.raw`(?<![\w$.])${ENV_SECRET_NAME}=([^\s'"\x60;|&]+)(?=[ \t])`, 'dg'),
    groups: [1],
    accept: looksLikeUnquotedSecret,
  },
];

// Where one YAML document or one file ends, in any shape: `---` (also as a diff or numbered line), a
// diff's file header, a review prompt's file element.
const DOCUMENT_BOUNDARY = /^(?:[ +-]?|[ \t]*\d+\|[ \t]?)---[ \t]*$|^diff --git |^\+\+\+ |^<\/?file[ >]/gm;
const SECRET_KIND = /^[ \t+-]*(?:\d+\|[ \t]?)?kind:[ \t]*Secret[ \t]*$/gm;

/** The YAML documents that declare `kind: Secret`, bounded by the nearest boundaries around each. */
function kubernetesSecretDocuments(text: string): Array<[number, number]> {
  const kinds = [...text.matchAll(SECRET_KIND)].map((m) => m.index);
  if (kinds.length === 0) return [];
  const boundaries = [...text.matchAll(DOCUMENT_BOUNDARY)].map((m) => m.index);
  return kinds.map((at) => {
    const before = boundaries.filter((b) => b < at).at(-1);
    const after = boundaries.find((b) => b > at);
    const start = before === undefined ? 0 : text.indexOf('\n', before) + 1 || text.length;
    return [start, after ?? text.length];
  });
}

function hasDigit(s: string): boolean {
  return /\d/.test(s);
}

function hasLetterAndDigit(s: string): boolean {
  return /[A-Za-z]/.test(s) && /\d/.test(s);
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Real key material has a long unbroken base64 run; prose or code between two PEM literals does not. */
function looksLikeKeyMaterial(block: string): boolean {
  return /[A-Za-z0-9+/]{40,}/.test(block.replace(/-----(?:BEGIN|END)[^-]*-----/g, ''));
}

/** Values that stand for a secret rather than being one: templates, variables, examples. */
function isPlaceholder(value: string): boolean {
  return (
    /^(?:\*+|x+|X+|\.+|_+|-+|#+)$/.test(value) ||
    /^<[^>]*>$/.test(value) ||
    /^\[[^\]]*\]$/.test(value) ||
    /\$\{|\{\{|\$\(|%\(|<%|\{\w*\}|%[sdv]/.test(value) ||
    /^\$[A-Za-z_{]/.test(value) ||
    /^%[A-Za-z_]+%$/.test(value) ||
    /^(?:your|my|some|example|sample|dummy|fake|test|placeholder|changeme|change[_-]me|redacted|secret|password|token|null|none|undefined|true|false)(?:[\W_]|$)/i.test(value)
  );
}

/** The value side of `name = value`: long enough, random enough, and not a name, path or template. */
function looksLikeSecretValue(raw: string): boolean {
  const value = raw.replace(/\\(.)/g, '$1');
  if (value.length < 8 || /\s/.test(value)) return false;
  if (isPlaceholder(value)) return false;
  // Identifiers, constants, header names, i18n keys, member accesses: words and separators only.
  if (/^[A-Za-z]+(?:[_.:\-/][A-Za-z]+)*$/.test(value)) return false;
  // Dotted names such as design tokens (`color.primary.500`) and versions.
  if (/^[A-Za-z_][\w-]*(?:\.[\w-]+)+$/.test(value) || /^v?\d+(?:\.\d+)+/.test(value)) return false;
  // URLs and paths (a URL with credentials is the connection-password detector's).
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^(?:\/|\.\.?\/|~\/)/.test(value)) return false;
  if (/\/[^/]*\.[a-z]{1,5}$/i.test(value)) return false;
  return entropy(value) >= 2.5;
}

/**
 * An unquoted value on a `name = value` line. Code puts expressions there (`token = nextToken()`,
 * `tokens: string[]`, `token = scanner2`), config files put literals; an identifier-shaped value
 * counts only when it carries the digits a generated secret has.
 */
function looksLikeUnquotedSecret(value: string): boolean {
  if (!looksLikeSecretValue(value) || /[()[\]{}<>]/.test(value)) return false;
  // A member access (`request.attributeTokens?.length`), negated or not.
  if (/^[!~-]*[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$/.test(value)) return false;
  if (/^[A-Za-z_$][\w$]*$/.test(value)) return (value.match(/\d/g)?.length ?? 0) >= 2 && entropy(value) >= 3;
  return true;
}

/**
 * A password given as an argument or flag, where its name is not there to vouch for it: short is
 * allowed (people pick `hunter22`), a plain word or a variable is not.
 */
function looksLikePassword(raw: string): boolean {
  const value = raw.replace(/\\(.)/g, '$1');
  if (value.length < 6 || /\s/.test(value) || isPlaceholder(value) || /^[-$%]/.test(value)) return false;
  // Names, not values: `cache_read_input_tokens`, `X-Api-Key`, `app.secret.name`.
  if (/^[A-Za-z]+(?:[_.:\-/][A-Za-z]+)*$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return value.length >= 16 ? entropy(value) >= 3 : classes >= 2 && !/^[A-Za-z]+[_.-]?\d{0,2}$/.test(value);
}

/** A parameter's value in a URL or connection string: not a template, a word or a number. */
function looksLikeParameterSecret(value: string): boolean {
  if (value.length < 6 || isPlaceholder(value) || /^\d+$/.test(value)) return false;
  if (/^[A-Za-z]+$/.test(value) && value.length < 20) return false;
  // Words between separators, encoded or not (`value%23still-query`), are an example, not a key.
  if (/^[A-Za-z]+(?:(?:[^A-Za-z0-9]|%[0-9A-F]{2})+[A-Za-z]+)*$/i.test(value)) return false;
  return entropy(value) >= 2.5;
}
