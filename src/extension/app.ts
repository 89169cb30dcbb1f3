import type { CompletionEngine } from '../core/completion/engine';
import type { ApiKeyStore } from './apiKey';
import type { ChatController } from './chat/chatController';
import type { ContextService } from './context/contextService';
import type { Ctx } from './ctx';
import type { DebugController } from './debug/debugController';
import type { LocalTierNotices } from './localTierNotices';
import type { RefactorController } from './refactor/refactorController';
import type { FindingsView } from './review/findingsView';
import type { ReviewController } from './review/reviewController';
import type { StatusService } from './statusService';
import type { EditorTiers } from './tiers';
import type { VirtualDocuments } from './virtualDocuments';
import type { WarmUp } from './warmUp';

/**
 * What command handlers may use; built once in activate(). Only the command table and a few handler
 * modules see it: adapters get a Ctx and their own collaborators, so none of them reaches into another.
 */
export interface App extends Ctx {
  readonly apiKey: ApiKeyStore;
  /** The OpenAI-compatible server's key (tiercel.local.provider = openaiCompatible). */
  readonly openAiKey: ApiKeyStore;
  readonly status: StatusService;
  readonly completions: CompletionEngine;
  readonly tiers: EditorTiers;
  readonly findings: FindingsView;
  readonly review: ReviewController;
  readonly context: ContextService;
  readonly debug: DebugController;
  readonly refactor: RefactorController;
  readonly notices: LocalTierNotices;
  readonly documents: VirtualDocuments;
  /** Loads the completion model in the background (after a new model is picked). */
  readonly warmUp: WarmUp;
  readonly chat: ChatController;
}
