import type * as vscode from 'vscode';

/**
 * What the channel needs of a view's schema. Classic zod's schemas and zod/mini's both fit: a page bundles
 * its protocol, and zod/mini costs it 25 KB where classic zod (with every locale) costs 454 KB (minified, measured with esbuild's metafile).
 */
export interface MessageSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

/**
 * The host's end of a webview's protocol: every message from the page is validated against the view's
 * schema (src/webview/<view>/protocol.ts) before anything acts on it; what does not match is logged and
 * dropped. The page is untrusted input: it renders model output.
 */
export function listen<T>(
  webview: vscode.Webview,
  schema: MessageSchema<T>,
  handler: (message: T) => unknown,
  log: Pick<vscode.LogOutputChannel, 'warn' | 'error'>,
): vscode.Disposable {
  return webview.onDidReceiveMessage(async (raw: unknown) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      log.warn(`webview: dropped a message that does not match the protocol: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`);
      return;
    }
    try {
      await handler(parsed.data);
    } catch (error) {
      log.error(`webview: handling ${JSON.stringify((parsed.data as { type?: unknown }).type)} failed: ${String(error)}`);
    }
  });
}

/** Sends a message the page's protocol declares; typed, so the host cannot send what the page does not expect. */
export function post<T>(webview: vscode.Webview, message: T): Thenable<boolean> {
  return webview.postMessage(message);
}
