/**
 * Tiercel's settings as the core sees them. The extension reads them from `tiercel.*` in VS Code
 * (one typed accessor, src/extension/settings.ts); the CLI starts from the defaults and applies flags.
 * The defaults here must equal package.json's `contributes.configuration` (a test checks).
 */
export interface TiercelSettings {
  ollama: {
    /** Base URL of the Ollama server. */
    url: string;
    /** Base model used for fill-in-the-middle completions. */
    completionModel: string;
    /** Instruct model used for local chat, explanations and refactors. */
    chatModel: string;
  };
  completions: {
    /** The global switch (Tiercel: Toggle Inline Completions). */
    enabled: boolean;
    /** Per-language switch by VS Code language id; "*" is the default for the rest. */
    languages: Record<string, boolean>;
    /** `num_predict` for multi-line suggestions. */
    maxTokens: number;
    /** Prompt budget in model tokens (estimated); sizes `num_ctx` too. */
    maxPromptTokens: number;
    /** Ollama `keep_alive` for the completion model. */
    keepAlive: string;
  };
  /** Which server the local tier's chat, explanations, refactors and local reviews use. */
  local: {
    /** `ollama` (tiercel.ollama.*) or an OpenAI-compatible server (tiercel.openaiCompatible.*). */
    provider: 'ollama' | 'openaiCompatible';
  };
  openaiCompatible: {
    /** Base URL of the server's OpenAI API (llama.cpp server, vLLM, LM Studio…), e.g. http://127.0.0.1:8080/v1. */
    baseUrl: string;
    /** Model name as the server knows it. */
    model: string;
  };
  claude: {
    /** Model id for review and debugging. */
    model: string;
    /** A cheaper model for explanations and chat the router sends to Claude. */
    lightModel: string;
    /** Empty for the official endpoint. */
    baseUrl: string;
    /** Local-only mode: the Claude tier is off and nothing is ever sent to Anthropic. */
    localOnly: boolean;
  };
  budget: {
    /** Spending caps in USD; a request whose worst case would pass one is not sent. */
    dailyUsd: number;
    monthlyUsd: number;
    /** Ask before a single request whose worst case costs more than this. */
    confirmAboveUsd: number;
    /** What the status bar counts. */
    statusBar: 'usd' | 'tokens';
  };
  review: {
    /** Findings below this confidence hide behind "Show N more". */
    confidenceThreshold: number;
    /** Most tokens of code and context in one review request (estimated). */
    maxInputTokens: number;
    /** Most tokens Claude may answer with (the worst case the budget gate prices). */
    maxOutputTokens: number;
  };
  privacy: {
    /** Show "N files, M tokens, K redactions" and ask before each Claude request. */
    previewBeforeSending: boolean;
  };
  router: {
    /** 0–100: how readily the router sends work to Claude (50: the documented policy). */
    claudeShare: number;
  };
  refactor: {
    /** Most tokens (estimated) of definitions and surrounding code sent with the code to rewrite. */
    contextTokens: number;
  };
  chat: {
    /** Most tokens (estimated) of conversation and attachments in one chat request; older exchanges are trimmed. */
    maxInputTokens: number;
    /** Most tokens one chat answer may have (the worst case the budget gate prices). */
    maxOutputTokens: number;
  };
}

export const DEFAULT_SETTINGS: TiercelSettings = {
  ollama: {
    url: 'http://127.0.0.1:11434',
    completionModel: 'qwen2.5-coder:1.5b-base',
    chatModel: 'qwen2.5-coder:7b-instruct',
  },
  completions: {
    enabled: true,
    languages: { '*': true, plaintext: false, markdown: false, scminput: false },
    maxTokens: 128,
    maxPromptTokens: 2048,
    keepAlive: '30m',
  },
  local: {
    provider: 'ollama',
  },
  openaiCompatible: {
    baseUrl: '',
    model: '',
  },
  claude: {
    model: 'claude-sonnet-5-5',
    lightModel: 'claude-haiku-5-5',
    baseUrl: '',
    localOnly: false,
  },
  budget: {
    dailyUsd: 2,
    monthlyUsd: 20,
    confirmAboveUsd: 0.5,
    statusBar: 'usd',
  },
  review: {
    confidenceThreshold: 0.6,
    maxInputTokens: 24000,
    maxOutputTokens: 4096,
  },
  privacy: {
    previewBeforeSending: false,
  },
  router: {
    claudeShare: 50,
  },
  refactor: {
    contextTokens: 3000,
  },
  chat: {
    maxInputTokens: 16000,
    maxOutputTokens: 2048,
  },
};
