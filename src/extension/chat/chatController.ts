import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  addQuestion,
  answerQuestion,
  ChatStore,
  conversationToMarkdown,
  findAnswer,
  findQuestion,
  folderChatStorage,
  insertionIndex,
  newConversation,
  putAnswer,
  removeMessage,
  type AssistantMessage,
  type ChatMessage,
  type Conversation,
  type UserMessage,
} from '../../core/chat';
import type { NextAction } from '../../core/errors';
import type { TierPreference } from '../../core/router';
import type { MessageView, ToHost, ToPage } from '../../webview/chat/protocol';
import type { Ctx } from '../ctx';
import { nextActionTitle, runNextAction } from '../nextActions';
import type { EditorTiers } from '../tiers';
import type { ChatContext } from './chatContext';
import type { ChatCodeActions } from './codeActions';

const CURRENT_KEY = 'tiercel.chat.current';
const PREFERENCE_KEY = 'tiercel.chat.preference';
/** Streamed text reaches the page at most this often: a re-render per token would stall a long answer. */
const TEXT_INTERVAL_MS = 50;

export interface ChatPage {
  post(message: ToPage): void;
}

/**
 * The chat's state on the host: the open conversation, the answer streaming into it, and the history on
 * disk (this workspace's storage folder, so it survives reloads and restarts). The page is a view of it:
 * it may be hidden, disposed and resolved again at any time and asks for `state` when it loads.
 */
export class ChatController implements vscode.Disposable {
  private conversation: Conversation = newConversation(newId(), Date.now());
  private running: AbortController | undefined;
  private page: ChatPage | undefined;
  private readonly store: ChatStore;
  private readonly loaded: Promise<void>;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly ctx: Ctx,
    private readonly tiers: EditorTiers,
    private readonly context: ChatContext,
    private readonly code: ChatCodeActions,
  ) {
    // Per workspace; a window without a folder keeps its chats with the extension's global storage.
    const folder = vscode.Uri.joinPath(ctx.extension.storageUri ?? ctx.extension.globalStorageUri, 'chat');
    this.store = new ChatStore(folderChatStorage(folder.fsPath), (m) => ctx.log.warn(m));
    this.loaded = this.openCurrent();
    this.subscription = context.onDidChange(() => void this.postChips());
  }

  /** The page has loaded: it gets the whole state; later changes come as messages. */
  async attach(page: ChatPage): Promise<void> {
    this.page = page;
    await this.loaded;
    await this.postState();
  }

  detach(page: ChatPage): void {
    if (this.page === page) this.page = undefined;
  }

  async handle(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.postState();
      case 'send':
        return this.send(message.text, message.preference);
      case 'cancel':
        this.running?.abort();
        return;
      case 'askClaude':
        return this.askClaude(message.id);
      case 'action':
        return this.runAction(message.id, message.action);
      case 'addChip':
        return this.context.add(message.kind);
      case 'removeChip':
        return this.context.remove(message.id);
      case 'copy':
        return this.code.copy(message.code);
      case 'insert':
        return this.code.insert(message.code);
      case 'apply': {
        const answer = findAnswer(this.conversation, message.answerId);
        return this.code.apply(message.code, message.file, answer && findQuestion(this.conversation, answer.replyTo));
      }
      case 'openLink':
        return this.openLink(message.url);
      case 'setPreference':
        await this.ctx.extension.workspaceState.update(PREFERENCE_KEY, message.preference);
        return;
      case 'command':
        if (message.command === 'new') return this.newChat();
        if (message.command === 'history') return this.showHistory();
        return this.exportChat();
    }
  }

  async newChat(): Promise<void> {
    await this.loaded;
    this.running?.abort();
    if (this.conversation.messages.length) await this.switchTo(newConversation(newId(), Date.now()));
    this.context.reset();
    this.page?.post({ type: 'focus' });
  }

  async showHistory(): Promise<void> {
    await this.loaded;
    const remove: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this conversation' };
    type Item = vscode.QuickPickItem & { id?: string };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = 'Tiercel: chat history (this workspace)';
    quickPick.placeholder = 'Open a conversation';
    const fill = async () => {
      const list = await this.store.list();
      quickPick.items = [
        { label: '$(add) New chat' },
        ...list.map((c) => ({ label: c.title, description: `${new Date(c.updatedAt).toLocaleString()} · ${c.messages} message${c.messages === 1 ? '' : 's'}`, id: c.id, buttons: [remove] })),
      ];
    };
    await fill();
    quickPick.onDidTriggerItemButton(async ({ item }) => {
      if (item.id) await this.deleteChat(item.id);
      await fill();
    });
    quickPick.onDidAccept(async () => {
      const picked = quickPick.selectedItems[0];
      quickPick.hide();
      if (!picked?.id) return this.newChat();
      const conversation = await this.store.load(picked.id);
      if (conversation) await this.switchTo(conversation);
      else void vscode.window.showWarningMessage('Tiercel: that conversation could not be read (see the log).');
    });
    quickPick.onDidHide(() => quickPick.dispose());
    quickPick.show();
  }

  async exportChat(): Promise<void> {
    await this.loaded;
    if (!this.conversation.messages.length) {
      void vscode.window.showInformationMessage('Tiercel: this conversation is empty.');
      return;
    }
    const name = `${this.conversation.title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'chat'}.md`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({ title: 'Tiercel: export the conversation', filters: { Markdown: ['md'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}) });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(conversationToMarkdown(this.conversation)));
    await vscode.window.showTextDocument(target, { preview: true });
  }

  /** Deletes a conversation (the open one when no id is given, after asking). */
  async deleteChat(id?: string): Promise<void> {
    await this.loaded;
    const target = id ?? this.conversation.id;
    if (!id) {
      const ok = await vscode.window.showWarningMessage(`Delete the conversation “${this.conversation.title}”?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return;
    }
    await this.store.remove(target);
    if (target === this.conversation.id) {
      this.running?.abort();
      const [next] = await this.store.list();
      const conversation = next && (await this.store.load(next.id));
      await this.switchTo(conversation || newConversation(newId(), Date.now()));
    }
  }

  /** "Ask in Chat" on a selection: the chat with the selection attached and the input focused. */
  async ask(): Promise<void> {
    this.context.attachEditor();
    await vscode.commands.executeCommand('tiercel.chat.focus');
    this.page?.post({ type: 'focus' });
  }

  dispose(): void {
    this.running?.abort();
    this.subscription.dispose();
  }

  private async send(text: string, preference: TierPreference): Promise<void> {
    await this.loaded;
    if (this.running) return;
    const { attachments, workspace } = await this.context.collect();
    const question = addQuestion(this.conversation, { id: newId(), text, attachments, preference, now: Date.now(), ...(workspace ? { workspace } : {}) });
    await this.ctx.extension.workspaceState.update(CURRENT_KEY, this.conversation.id);
    this.context.reset();
    this.page?.post({ type: 'message', message: this.view(question), at: this.conversation.messages.length - 1 });
    await this.answer(question, preference, true);
  }

  private async askClaude(answerId: string): Promise<void> {
    const answer = findAnswer(this.conversation, answerId);
    const question = answer && findQuestion(this.conversation, answer.replyTo);
    if (question) await this.answer(question, 'claude', false);
  }

  private async runAction(answerId: string, action: NextAction): Promise<void> {
    const answer = findAnswer(this.conversation, answerId);
    const question = answer && findQuestion(this.conversation, answer.replyTo);
    if ((action === 'retry' || action === 'runLocally') && answer && question) {
      removeMessage(this.conversation, answer.id);
      await this.postState();
      return this.answer(question, action === 'runLocally' ? 'local' : question.preference, true);
    }
    await runNextAction(this.ctx, action);
  }

  /** Streams one answer to `question` into the conversation, saving it when it starts and ends. */
  private async answer(question: UserMessage, preference: TierPreference, fallback: boolean): Promise<void> {
    if (this.running) return;
    const controller = new AbortController();
    this.running = controller;
    this.page?.post({ type: 'busy', busy: true });
    const conversation = this.conversation;
    const id = newId();
    const settings = this.ctx.config.current;
    let last = 0;
    let timer: NodeJS.Timeout | undefined;
    let latest = '';
    const placeholder: AssistantMessage = { id, role: 'assistant', createdAt: Date.now(), replyTo: question.id, text: '', status: 'streaming', costUsd: 0, label: '', reason: '', leftOut: [], trimmed: 0, redactions: 0, truncated: false };
    this.page?.post({ type: 'message', message: this.view(placeholder), at: insertionIndex(conversation.messages, question.id) });
    const flush = () => {
      timer = undefined;
      last = Date.now();
      if (this.conversation === conversation) this.page?.post({ type: 'text', id, text: latest });
    };
    try {
      const answer = await answerQuestion(conversation, question, {
        tiers: this.tiers.set,
        limits: settings.chat,
        preference,
        fallback,
        signal: controller.signal,
        id,
        ...(question.workspace ? { workspace: question.workspace } : {}),
        onStart: (started) => this.update(conversation, started, true),
        onText: (_delta, text) => {
          latest = text;
          if (!timer) timer = setTimeout(flush, Math.max(0, TEXT_INTERVAL_MS - (Date.now() - last)));
        },
      });
      clearTimeout(timer);
      if (answer.status === 'error') this.ctx.log.warn(`chat: ${answer.error?.message ?? 'failed'}`);
      else this.ctx.log.info(`chat: answered by ${answer.label} (${answer.reason})`);
      await this.update(conversation, answer, true);
    } finally {
      clearTimeout(timer);
      this.running = undefined;
      this.page?.post({ type: 'busy', busy: false });
    }
  }

  private async update(conversation: Conversation, answer: AssistantMessage, save: boolean): Promise<void> {
    putAnswer(conversation, answer);
    if (this.conversation === conversation) {
      // Another answer to the same question may lose its "Ask Claude instead" now: redraw those too.
      for (const sibling of conversation.messages) {
        if (sibling.role === 'assistant' && sibling.replyTo === answer.replyTo) {
          this.page?.post({ type: 'message', message: this.view(sibling), at: conversation.messages.indexOf(sibling) });
        }
      }
    }
    if (save) await this.save(conversation);
  }

  private async save(conversation: Conversation): Promise<void> {
    try {
      await this.store.save(conversation);
    } catch (error) {
      this.ctx.log.error(`chat: could not save the conversation: ${String(error)}`);
    }
  }

  private async openCurrent(): Promise<void> {
    // The one open last; else the newest (a new chat that was never asked anything is not saved).
    const id = this.ctx.extension.workspaceState.get<string>(CURRENT_KEY) ?? (await this.store.list().catch(() => []))[0]?.id;
    const conversation = id ? await this.store.load(id).catch(() => undefined) : undefined;
    if (conversation) this.conversation = conversation;
  }

  private async switchTo(conversation: Conversation): Promise<void> {
    this.conversation = conversation;
    await this.ctx.extension.workspaceState.update(CURRENT_KEY, conversation.id);
    await this.postState();
  }

  private async postState(): Promise<void> {
    if (!this.page) return;
    const { chips, editor } = await this.context.chips();
    this.page.post({
      type: 'state',
      conversation: { id: this.conversation.id, title: this.conversation.title, messages: this.conversation.messages.map((m) => this.view(m)) },
      chips,
      editor,
      preference: this.ctx.extension.workspaceState.get<TierPreference>(PREFERENCE_KEY) ?? 'auto',
      busy: this.running !== undefined,
    });
  }

  private async postChips(): Promise<void> {
    if (!this.page) return;
    const { chips, editor } = await this.context.chips();
    this.page.post({ type: 'chips', chips, editor });
  }

  private view(message: ChatMessage): MessageView {
    if (message.role === 'user') {
      return {
        id: message.id,
        role: 'user',
        text: message.text,
        attachments: message.attachments.map((a) => ({ kind: a.kind, label: a.label, detail: a.detail, ...(a.privateReason ? { privateReason: a.privateReason } : {}) })),
      };
    }
    const answeredByClaude = this.conversation.messages.some((m) => m.role === 'assistant' && m.replyTo === message.replyTo && m.tier === 'claude' && m.status === 'done');
    const { error, text, status, tier, label, reason, fallback, leftOut, trimmed, contextStart, redactions, truncated } = message;
    return {
      id: message.id,
      role: 'assistant',
      replyTo: message.replyTo,
      text,
      status,
      label,
      reason,
      leftOut,
      trimmed,
      redactions,
      truncated,
      ...(tier ? { tier } : {}),
      ...(fallback ? { fallback } : {}),
      ...(contextStart ? { contextStart } : {}),
      ...(error ? { error: { message: error.message, actions: error.actions.map((action) => ({ action, title: nextActionTitle(action) })) } } : {}),
      canAskClaude: tier === 'local' && status !== 'error' && !answeredByClaude && !this.ctx.config.current.claude.localOnly,
    };
  }

  private async openLink(url: string): Promise<void> {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      this.ctx.log.warn(`chat: did not open a link that is not http(s): ${url.slice(0, 200)}`);
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(parsed.toString(), true));
  }
}

function newId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}
