import type * as vscode from 'vscode';
import type { CompletionEngine } from '../core/completion/engine';
import type { TiercelSettings } from '../core/settings';
import type { ApiKeyStore } from './apiKey';
import type { ClaudeTier } from './claude/claudeTier';
import type { ContextService } from './context/contextService';
import type { DebugController } from './debug/debugController';
import type { LocalTierNotices } from './localTierNotices';
import type { FindingsView } from './review/findingsView';
import type { ReviewController } from './review/reviewController';
import type { StatusService } from './statusService';
import type { VirtualDocuments } from './virtualDocuments';

/** What command handlers and adapters may use; built once in activate(). */
export interface App {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly settings: () => TiercelSettings;
  readonly apiKey: ApiKeyStore;
  readonly status: StatusService;
  readonly completions: CompletionEngine;
  readonly claude: ClaudeTier;
  readonly findings: FindingsView;
  readonly review: ReviewController;
  readonly context: ContextService;
  readonly debug: DebugController;
  readonly notices: LocalTierNotices;
  readonly documents: VirtualDocuments;
}
