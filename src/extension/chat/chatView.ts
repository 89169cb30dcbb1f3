import type * as vscode from 'vscode';
import { toHost } from '../../webview/chat/protocol';
import type { Ctx } from '../ctx';
import { listen, post } from '../webviews/channel';
import { webviewHtml, webviewOptions } from '../webviews/html';
import type { ChatController } from './chatController';

export const CHAT_VIEW_ID = 'tiercel.chat';

/**
 * The chat's WebviewView in the Tiercel side bar container: the page (src/webview/chat) under the shared
 * CSP, and its messages, validated, to the controller. The page is rebuilt whenever VS Code resolves the
 * view again; the conversation lives in the controller, so nothing is lost when it is.
 */
export class ChatView implements vscode.WebviewViewProvider {
  constructor(
    private readonly ctx: Ctx,
    private readonly controller: ChatController,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const { webview } = view;
    webview.options = webviewOptions(this.ctx.extension.extensionUri);
    webview.html = webviewHtml(webview, this.ctx.extension.extensionUri, 'chat', 'Tiercel Chat');
    const page = { post: (message: Parameters<typeof post>[1]) => void post(webview, message) };
    const subscription = listen(webview, toHost, (message) => this.controller.handle(message), this.ctx.log);
    void this.controller.attach(page);
    view.onDidDispose(() => {
      subscription.dispose();
      this.controller.detach(page);
    });
  }
}
