/**
 * Replaces secrets in text bound for Claude with `[REDACTED:<kind>]`, leaving the code around them
 * as it was. Patterns are specific where a format is (`ghp_…`, `AKIA…`, PEM blocks) and guarded by
 * the name and shape of the value where it is not (`password = "…"`), because a redaction in
 * ordinary code costs review quality: the false-positive test runs these over real library sources.
 *
 * A redaction keeps the line count, so line numbers in a review of the redacted text are the
 * file's own.
 */

export type SecretKind =
  | 'private-key'
  | 'anthropic-key'
  | 'openai-key'
  | 'aws-access-key'
  | 'aws-secret-key'
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
  | 'jwt'
  | 'bearer-token'
  | 'connection-password'
  | 'secret-assignment';

export interface Redaction {
  kind: SecretKind;
  /** 1-based line of the text passed in where the secret started. */
  line: number;
}

export interface RedactionResult {
  text: string;
  redactions: Redaction[];
}

export interface RedactOptions {
  /**
   * The text is a unified diff: a secret spanning lines keeps each continuation line's first
   * character (its `+`, `-` or space marker), so the hunks still parse.
   */
  diff?: boolean;
}

interface Detector {
  kind: SecretKind;
  /** Global, with indices (`d`), so a capture group's offsets are known. */
  pattern: RegExp;
  /** Which capture group is the secret (0: the whole match); the first group that took part if several. */
  groups?: number[];
  accept?: (secret: string) => boolean;
}

// Body of a PEM block as it appears in files, JSON strings (`\n` escapes), string concatenation
// and diffs. It has no `;`, `(` or `{`, so code between a BEGIN and an END literal does not match,
// and no `-----`, so a scan from one BEGIN stops at the next armour line (linear time on any input).
const PEM_BODY = String.raw`(?:[A-Za-z0-9+/=\s"'\x60\\,:.#]|-(?!----))`;
const PEM_BEGIN = String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = String.raw`-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;

// Names whose assigned string is a secret: the keyword ends the name (`dbPassword`, `GITHUB_TOKEN`,
// `client_secret`, `apiKeyValue`), so `tokenizer`, `tokenType` and `passwordField` are not matched.
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)s?(?:[_-]?(?:key|value|str|string))?`;
const ASSIGN = String.raw`\s*(?::=|=>|[:=])\s*`;

const DETECTORS: readonly Detector[] = [
  {
    kind: 'private-key',
    pattern: new RegExp(`${PEM_BEGIN}${PEM_BODY}*?${PEM_END}`, 'gd'),
    accept: looksLikeKeyMaterial,
  },
  {
    // A block cut off before its END line (a truncated file or hunk): the BEGIN line and the
    // base64 that follows it.
    kind: 'private-key',
    pattern: new RegExp(String.raw`${PEM_BEGIN}(?:(?:\s|\\[nr]|["'\x60,])*[A-Za-z0-9+/=]{16,})+`, 'gd'),
    accept: looksLikeKeyMaterial,
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
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16}\b/dg },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/dg },
  {
    // scheme://user:password@host: only the password goes. Greedy to the authority's last `@`, so an
    // unencoded `@` in the password does not leave its tail behind.
    kind: 'connection-password',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]*:([^\s'"`/]+)@/dgi,
    groups: [1],
    accept: (secret) => !isPlaceholder(secret) && !/^(?:pass|passwd|pw|pwd|pa\$\$word|abc|xyz|bar|baz|foo)$/i.test(secret),
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
    // name = "value" in code and config: JS, Python, Go, YAML, JSON, TOML, shell.
    kind: 'secret-assignment',
    pattern: new RegExp(
      String.raw`(?<![\w.-])${SECRET_NAME}["']?${ASSIGN}(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|\x60((?:[^\x60\\\n]|\\.)*)\x60)`,
      'dgi',
    ),
    groups: [1, 2, 3],
    accept: looksLikeSecretValue,
  },
  {
    // Unquoted, only as a whole config line (`.ini`, `.properties`, YAML, shell): in code an
    // unquoted right-hand side is an expression.
    kind: 'secret-assignment',
    pattern: new RegExp(
      String.raw`^[ \t]*(?:export[ \t]+)?${SECRET_NAME}[ \t]*[:=][ \t]*([^\s'"\x60#;,]{8,})[ \t]*(?:#.*)?$`,
      'dgim',
    ),
    groups: [1],
    accept: looksLikeUnquotedSecret,
  },
];

/** Every kind a redaction can have, for documentation and settings. */
export const SECRET_KINDS: readonly SecretKind[] = [...new Set(DETECTORS.map((d) => d.kind))];

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
  priority: number;
}

/**
 * `text` with every secret found replaced by `[REDACTED:<kind>]`, and where each was. Detectors are
 * run over the original text; when two overlap, the earlier (more specific) detector wins.
 */
export function redactSecrets(text: string, options: RedactOptions = {}): RedactionResult {
  const spans: Span[] = [];
  DETECTORS.forEach((detector, priority) => {
    detector.pattern.lastIndex = 0;
    for (const match of text.matchAll(detector.pattern)) {
      const group = (detector.groups ?? [0]).find((g) => match.indices?.[g] !== undefined);
      const range = group === undefined ? undefined : match.indices?.[group];
      if (!range || range[1] <= range[0]) continue;
      const secret = text.slice(range[0], range[1]);
      if (detector.accept && !detector.accept(secret)) continue;
      spans.push({ start: range[0], end: range[1], kind: detector.kind, priority });
    }
  });
  if (spans.length === 0) return { text, redactions: [] };

  spans.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const kept: Span[] = [];
  for (const span of spans) {
    if (!kept.some((k) => span.start < k.end && k.start < span.end)) kept.push(span);
  }
  kept.sort((a, b) => a.start - b.start);

  const lineStarts = lineStartOffsets(text);
  let out = '';
  let at = 0;
  const redactions: Redaction[] = [];
  for (const span of kept) {
    out += text.slice(at, span.start) + replacementFor(text.slice(span.start, span.end), span.kind, options.diff === true);
    at = span.end;
    redactions.push({ kind: span.kind, line: lineOf(lineStarts, span.start) });
  }
  out += text.slice(at);
  return { text: out, redactions };
}

/** The marker plus one newline per newline replaced, so the lines after it keep their numbers. */
function replacementFor(secret: string, kind: SecretKind, diff: boolean): string {
  const lines = secret.split('\n');
  let replacement = `[REDACTED:${kind}]`;
  for (const line of lines.slice(1)) {
    const marker = line[0];
    replacement += diff && (marker === '+' || marker === '-' || marker === ' ') ? `\n${marker}` : '\n';
  }
  return replacement;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
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
    /\$\{|\{\{|\$\(|%\(|<%|\{\d*\}|%[sdv]/.test(value) ||
    /^\$[A-Za-z_]/.test(value) ||
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
  if (/^[A-Za-z_$][\w$]*$/.test(value)) return (value.match(/\d/g)?.length ?? 0) >= 2 && entropy(value) >= 3;
  return true;
}
