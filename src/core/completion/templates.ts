/**
 * Fill-in-the-middle prompt formats, and which one a model speaks, read from its own metadata.
 *
 * Each format below was checked against its model's authors (model card, tokenizer or reference
 * code), named next to it. The prompt is sent with `raw: true`, so these strings are exactly what
 * the model sees.
 */
import type { ShowResponse } from 'ollama';

export type FimTemplateId = 'qwen2.5-coder' | 'codeqwen1.5' | 'deepseek-coder' | 'starcoder2' | 'codellama' | 'codestral';

/** Code from another file of the workspace, for cross-file context. */
export interface FimSnippet {
  /** Path relative to the workspace, forward slashes. */
  path: string;
  text: string;
}

export interface FimParts {
  repoName: string;
  /** The current file's path relative to the workspace, forward slashes. */
  currentPath: string;
  prefix: string;
  suffix: string;
  snippets: readonly FimSnippet[];
}

export interface FimTemplate {
  id: FimTemplateId;
  /** The model family, for messages and logs. */
  label: string;
  /**
   * True when the model was trained on whole repositories with its own file-separator tokens, so
   * snippets go in as the files they are. Other formats put them at the top of the prefix (see each).
   */
  repoLevel: boolean;
  /** Generation must stop at any of these: past them the model writes another file or a chat turn. */
  stop: readonly string[];
  /** The raw prompt: `prefix` and `suffix` appear in it once, verbatim. */
  build(parts: FimParts): string;
}

/**
 * Qwen2.5-Coder's control tokens: QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder-repolevel-fim.py (format
 * and the eos_token_ids 151643..151664 it stops on); the real Qwen tokenizer maps each to one id
 * (test/core/completion/templates.test.ts). Post-processing strips them too.
 */
export const QWEN_SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|fim_prefix|>',
  '<|fim_middle|>',
  '<|fim_suffix|>',
  '<|fim_pad|>',
  '<|repo_name|>',
  '<|file_sep|>',
  '<|im_start|>',
  '<|im_end|>',
] as const;

// <|cursor|> is not a Qwen token, but some fine-tunes emit it as text; stopping there costs nothing.
const QWEN_STOP = [...QWEN_SPECIAL_TOKENS, '<|cursor|>'] as const;

const qwenCoder: FimTemplate = {
  id: 'qwen2.5-coder',
  label: 'Qwen2.5-Coder',
  repoLevel: true,
  stop: QWEN_STOP,
  build: (p) =>
    `<|repo_name|>${p.repoName}\n` +
    p.snippets.map((s) => `<|file_sep|>${s.path}\n${s.text}\n`).join('') +
    `<|file_sep|>${p.currentPath}\n<|fim_prefix|>${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>`,
};

// CodeQwen1.5 has Qwen2.5-Coder's layout with StarCoder-style tokens (and the same `qwen2`
// architecture, which is why a name match on "codeqwen" cannot tell them apart):
// QwenLM/Qwen2.5-Coder examples/CodeQwen1.5-base-repolevel-fim.py.
const codeQwen: FimTemplate = {
  id: 'codeqwen1.5',
  label: 'CodeQwen1.5',
  repoLevel: true,
  stop: ['<|endoftext|>', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>', '<repo_name>', '<file_sep>', '<|im_start|>', '<|im_end|>'],
  build: (p) =>
    `<repo_name>${p.repoName}\n` +
    p.snippets.map((s) => `<file_sep>${s.path}\n${s.text}\n`).join('') +
    `<file_sep>${p.currentPath}\n<fim_prefix>${p.prefix}<fim_suffix>${p.suffix}<fim_middle>`,
};

// StarCoder2 paper (arXiv 2402.19173, section 5.1): `<repo_name>name<file_sep>path\ncode…
// <file_sep><fim_prefix>path\ncode_pre<fim_suffix>code_suf<fim_middle>`. The only newline the format
// adds is after a path, and the path of the file being filled goes after <fim_prefix>. Special
// tokens: bigcode/starcoder2 tokenizer (<|endoftext|>, <fim_*>, <repo_name>, <file_sep>).
const starCoder2: FimTemplate = {
  id: 'starcoder2',
  label: 'StarCoder2',
  repoLevel: true,
  stop: ['<|endoftext|>', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>', '<repo_name>', '<file_sep>'],
  build: (p) =>
    `<repo_name>${p.repoName}` +
    // Training files end with their own newline; a snippet cut at a line end gets one back.
    p.snippets.map((s) => `<file_sep>${s.path}\n${withFinalNewline(s.text)}`).join('') +
    `<file_sep><fim_prefix>${p.currentPath}\n${p.prefix}<fim_suffix>${p.suffix}<fim_middle>`,
};

// DeepSeek-Coder (v1, and V2 which kept the tokens): deepseek-ai/DeepSeek-Coder README, "Code
// Insertion" for the FIM form and "Repository Level Code Completion" for cross-file context, which
// is plain source files, each under a comment line with its path. Token ids 32014–32017 in its
// tokenizer; the bars are U+FF5C (fullwidth vertical line) and the space is U+2581 (lower one eighth
// block), not ASCII.
const deepSeekCoder: FimTemplate = {
  id: 'deepseek-coder',
  label: 'DeepSeek-Coder',
  repoLevel: false,
  stop: ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'],
  build: (p) => `<｜fim▁begin｜>${filesWithPathComments(p)}${p.prefix}<｜fim▁hole｜>${p.suffix}<｜fim▁end｜>`,
};

// CodeLlama: meta-llama/codellama llama/generation.py infilling_prompt_tokens, "<PRE> {pre} <SUF>{suf}
// <MID>" (the spaces are part of the format), ending with <EOT>; Ollama's docs/template.md uses the
// same. It was not trained on repositories: snippets go in as commented-out code.
const codeLlama: FimTemplate = {
  id: 'codellama',
  label: 'CodeLlama',
  repoLevel: false,
  stop: ['<EOT>', '<PRE>', '<SUF>', '<MID>'],
  build: (p) => `<PRE> ${commentedSnippets(p)}${p.prefix} <SUF>${p.suffix} <MID>`,
};

// Codestral: mistralai/mistral-common InstructTokenizerV2.encode_fim, [BOS][SUFFIX]suffix[PREFIX]prefix
// (suffix first, no middle token; Ollama's tokenizer adds the BOS). No documented multi-file format:
// snippets go in as commented-out code.
const codestral: FimTemplate = {
  id: 'codestral',
  label: 'Codestral',
  repoLevel: false,
  stop: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>'],
  build: (p) => `[SUFFIX]${p.suffix}[PREFIX]${commentedSnippets(p)}${p.prefix}`,
};

export const FIM_TEMPLATES: Readonly<Record<FimTemplateId, FimTemplate>> = Object.freeze({
  'qwen2.5-coder': qwenCoder,
  'codeqwen1.5': codeQwen,
  'deepseek-coder': deepSeekCoder,
  starcoder2: starCoder2,
  codellama: codeLlama,
  codestral,
});

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * DeepSeek's own repository example: each file's source under a `# path` comment, a blank line
 * between files, the current file last. Without snippets it is the plain single-file form.
 */
function filesWithPathComments(p: FimParts): string {
  const comment = lineCommentFor(p.currentPath);
  if (!comment || p.snippets.length === 0) return '';
  return p.snippets.map((s) => `${comment} ${s.path}\n${withFinalNewline(s.text)}\n`).join('') + `${comment} ${p.currentPath}\n`;
}

/**
 * Snippets as comments in the current file's language, for models without a multi-file format:
 * commented out, they cannot be mistaken for the current file's code nor unbalance its brackets.
 * Languages without a line comment (HTML, CSS, JSON…) get none.
 */
function commentedSnippets(p: FimParts): string {
  const comment = lineCommentFor(p.currentPath);
  if (!comment || p.snippets.length === 0) return '';
  const block = (s: FimSnippet) =>
    `${comment} Path: ${s.path}\n` +
    withFinalNewline(s.text)
      .slice(0, -1)
      .split('\n')
      .map((line) => (line.length === 0 ? comment : `${comment} ${line}`))
      .join('\n') +
    '\n\n';
  return p.snippets.map(block).join('') + `${comment} Path: ${p.currentPath}\n`;
}

const LINE_COMMENTS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['//', ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'go', 'rs', 'java', 'kt', 'kts', 'scala', 'swift', 'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'cs', 'dart', 'php', 'zig', 'groovy', 'gradle', 'proto', 'sol', 'scss', 'less', 'jsonc', 'fs', 'v']],
  ['#', ['py', 'pyi', 'rb', 'sh', 'bash', 'zsh', 'fish', 'pl', 'pm', 'r', 'yaml', 'yml', 'toml', 'ps1', 'psm1', 'jl', 'nim', 'ex', 'exs', 'cr', 'tcl', 'cmake', 'mk', 'coffee', 'nix', 'gd', 'dockerfile', 'makefile', 'gemfile', 'rakefile']],
  ['--', ['lua', 'sql', 'hs', 'elm', 'ada', 'adb', 'ads', 'purs']],
  ['%', ['tex', 'erl', 'hrl']],
  [';', ['clj', 'cljs', 'edn', 'lisp', 'el', 'scm', 'rkt', 'asm']],
];

/** The line-comment marker of the file's language, by extension (or name, for `Makefile` and such). */
export function lineCommentFor(filePath: string): string | undefined {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  const key = dot > 0 ? name.slice(dot + 1) : name;
  return LINE_COMMENTS.find(([, keys]) => keys.includes(key))?.[0];
}

export interface DetectedTemplate {
  template: FimTemplate;
  /** Which metadata decided, for the log. */
  reason: string;
  /** Set when the model looks like an instruct/chat model, which does fill-in-the-middle badly. */
  warning?: string;
}

/**
 * The FIM format of a model, from Ollama's `/api/show`: its architecture, the names baked into its
 * weights (`general.basename`, `general.name`), tokenizer fingerprints and the markers in its template.
 * Never from the tag the user typed: tags are free text (`my-coder:latest`), and the substring
 * matching peers do ("codeqwen") gives Qwen2.5-Coder the wrong format. Undefined when nothing fits.
 */
export function detectTemplate(show: ShowResponse): DetectedTemplate | undefined {
  const meta = readMetadata(show);
  const found = pickTemplate(meta);
  if (!found) return undefined;
  const warning = instructWarning(meta) ?? generalModelWarning(meta, found.template);
  return warning ? { ...found, warning } : found;
}

interface Metadata {
  architecture: string | undefined;
  /** `general.basename`, `general.name`, `general.finetune`: what the weights say they are. */
  names: string;
  tokenizerPre: string | undefined;
  vocabSize: number | undefined;
  template: string;
  capabilities: readonly string[] | undefined;
}

function readMetadata(show: ShowResponse): Metadata {
  // Typed as a Map, but the client hands over the parsed JSON object as it came.
  const info: unknown = show.model_info;
  const get = (key: string): unknown => {
    if (info instanceof Map) return info.get(key);
    if (info && typeof info === 'object') return (info as Record<string, unknown>)[key];
    return undefined;
  };
  const text = (key: string) => {
    const value = get(key);
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  const details: Partial<ShowResponse['details']> = show.details ?? {};
  const architecture = (text('general.architecture') ?? details.family ?? details.families?.[0])?.toLowerCase();
  const vocab = architecture ? get(`${architecture}.vocab_size`) : undefined;
  return {
    architecture,
    names: ['general.basename', 'general.name', 'general.finetune'].map(text).filter(Boolean).join(' / '),
    tokenizerPre: text('tokenizer.ggml.pre'),
    vocabSize: typeof vocab === 'number' ? vocab : undefined,
    template: typeof show.template === 'string' ? show.template : '',
    capabilities: Array.isArray(show.capabilities) ? show.capabilities : undefined,
  };
}

const FIM_MARKERS = {
  qwen: '<|fim_prefix|>',
  starcoder: '<fim_prefix>',
  deepseek: '<｜fim▁begin｜>',
  codellama: '<PRE>',
  codestral: '[SUFFIX]',
} as const;

function pickTemplate(m: Metadata): Omit<DetectedTemplate, 'warning'> | undefined {
  const arch = m.architecture;
  if (!arch) return undefined;
  const named = (pattern: RegExp) => pattern.test(m.names);
  const inTemplate = (marker: string) => m.template.includes(marker);
  const because = (...why: Array<string | false>) => [`architecture ${arch}`, ...why.filter((w): w is string => Boolean(w))].join(', ');
  const nameNote = m.names ? `named "${m.names}"` : false;

  switch (arch) {
    case 'qwen2': {
      const codeQwenName = named(/codeqwen/i) && !named(/qwen\s*2\.5|qwen\s*3/i);
      if (codeQwenName) return { template: codeQwen, reason: because(nameNote) };
      if (inTemplate(FIM_MARKERS.starcoder) && !inTemplate(FIM_MARKERS.qwen)) {
        return { template: codeQwen, reason: because('its template uses CodeQwen1.5 FIM tokens') };
      }
      return { template: qwenCoder, reason: because(nameNote) };
    }
    case 'qwen3':
    case 'qwen3moe':
      // Qwen3-Coder kept Qwen2.5-Coder's FIM tokens; general Qwen3 models were not trained on them.
      if (named(/coder/i)) return { template: qwenCoder, reason: because(nameNote) };
      if (inTemplate(FIM_MARKERS.qwen)) return { template: qwenCoder, reason: because('its template uses Qwen FIM tokens') };
      return undefined;
    case 'starcoder2':
      return { template: starCoder2, reason: because(nameNote) };
    case 'deepseek2':
      if (named(/coder/i)) return { template: deepSeekCoder, reason: because(nameNote) };
      if (inTemplate(FIM_MARKERS.deepseek)) return { template: deepSeekCoder, reason: because('its template uses DeepSeek FIM tokens') };
      return undefined;
    case 'llama':
    case 'mistral':
      return pickLlamaFamily(m, because);
    default:
      return undefined;
  }
}

/** Several code models share the `llama` architecture; names, tokenizer and template tell them apart. */
function pickLlamaFamily(m: Metadata, because: (...why: Array<string | false>) => string): Omit<DetectedTemplate, 'warning'> | undefined {
  const candidates: Array<[FimTemplate, Array<[boolean, string]>]> = [
    [
      deepSeekCoder,
      [
        [m.tokenizerPre === 'deepseek-coder', 'tokenizer deepseek-coder'],
        [/deepseek[-_ ]?coder/i.test(m.names), `named "${m.names}"`],
        // DeepSeek-Coder's vocabulary: 32000 BPE tokens plus its own specials and FIM tokens.
        [m.vocabSize === 32256, 'vocabulary of 32256 (DeepSeek-Coder)'],
        [m.template.includes(FIM_MARKERS.deepseek), 'its template uses DeepSeek FIM tokens'],
      ],
    ],
    [
      codeLlama,
      [
        [/code[-_ ]?llama/i.test(m.names), `named "${m.names}"`],
        // Llama 2's 32000 tokens plus CodeLlama's four infilling tokens and padding.
        [m.vocabSize === 32016, 'vocabulary of 32016 (CodeLlama)'],
        [m.template.includes(FIM_MARKERS.codellama) && m.template.includes('<SUF>'), 'its template uses CodeLlama infilling tokens'],
      ],
    ],
    [
      codestral,
      [
        [/codestral/i.test(m.names), `named "${m.names}"`],
        [m.template.includes(FIM_MARKERS.codestral) && m.template.includes('[PREFIX]'), 'its template uses Codestral FIM tokens'],
      ],
    ],
  ];
  for (const [template, evidence] of candidates) {
    const hit = evidence.find(([matches]) => matches);
    if (hit) return { template, reason: because(hit[1]) };
  }
  return undefined;
}

const CHAT_MARKERS = /\.Messages|<\|im_start\|>|\[INST\]|### Instruction|<\|start_header_id\|>|<start_of_turn>|<\|User\|>|<\|user\|>/;

/**
 * Instruct/chat models answer a FIM prompt with prose, or rewrite the suffix. Chat markers alone do
 * not tell: Ollama ships base Qwen2.5-Coder and Codestral (one model for chat and FIM) with templates
 * that also hold a chat branch. What tells is the weights' own name, or a template with no
 * fill-in-the-middle branch (Ollama's `insert` capability) that is more than a pass-through.
 */
function instructWarning(m: Metadata): string | undefined {
  const evidence: string[] = [];
  if (/\b(instruct|chat)\b/i.test(m.names)) evidence.push(`its metadata says "${m.names}"`);
  const passThrough = /^\s*(\{\{-?\s*\.Prompt\s*-?\}\}\s*)?$/.test(m.template);
  const insert = m.capabilities ? m.capabilities.includes('insert') : m.template.includes('.Suffix');
  if (!insert && !passThrough) {
    evidence.push(CHAT_MARKERS.test(m.template) ? 'its template is for chat only' : 'its template wraps prompts and has no fill-in-the-middle branch');
  }
  if (evidence.length === 0) return undefined;
  return `looks like an instruct/chat model (${evidence.join('; ')}); those do fill-in-the-middle badly, use a base model such as qwen2.5-coder:1.5b-base`;
}

function generalModelWarning(m: Metadata, template: FimTemplate): string | undefined {
  if (template !== qwenCoder || !m.names || /cod(e|er|ing)/i.test(m.names)) return undefined;
  return `"${m.names}" is a general Qwen model, not a coder model; its fill-in-the-middle is poor, use qwen2.5-coder:1.5b-base`;
}
