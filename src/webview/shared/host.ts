/**
 * The page's end of a webview's protocol: the one `acquireVsCodeApi()` handle, messages to the host typed
 * by the view's protocol, and messages from the host validated before the page renders them.
 */

/** What the page needs of its protocol's schema: classic zod's and zod/mini's both fit (pages use zod/mini: 25 KB minified, not 454 KB). */
export interface MessageSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly unknown[] } };
}

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export interface HostChannel<ToHost, ToPage, S> {
  post(message: ToHost): void;
  /** Calls `handler` with each valid message from the host; invalid ones are reported to the console. */
  onMessage(handler: (message: ToPage) => void): void;
  /** View state that survives the webview being hidden and shown again (not a restart: that is the host's). */
  getState(): S | undefined;
  setState(state: S): void;
}

export function connectToHost<ToHost, ToPage, S = unknown>(toPage: MessageSchema<ToPage>): HostChannel<ToHost, ToPage, S> {
  const api = acquireVsCodeApi<S>();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const parsed = toPage.safeParse(event.data);
        if (parsed.success) handler(parsed.data);
        else console.error('tiercel: a message from the host does not match the protocol', parsed.error.issues);
      }),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}

/** Creates an element with text (never HTML) and attributes: the page builds its DOM with this, not innerHTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
  ...children: Array<Node | string | undefined | false>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const child of children) if (child !== undefined && child !== false) node.append(child);
  return node;
}
