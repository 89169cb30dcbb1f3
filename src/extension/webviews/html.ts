import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The page of a Tiercel webview: its own bundle (dist/webview/<view>.js and .css, built from
 * src/webview/<view>/main.ts), under a Content-Security-Policy that allows nothing but the extension's own
 * files and one script with a fresh nonce per load: no inline script or style, no eval, no remote anything.
 * Peers' chat webviews were XSS-able through a permissive CSP (claude-code-chat#224); this one is not.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (ext: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${view}.${ext}`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${asset('css')}">
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${asset('js')}"></script>
</body>
</html>`;
}

/** Scripts on, and only the extension's own built pages and media readable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
