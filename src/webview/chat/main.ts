/**
 * The chat page: the transcript, the context chips and the input. It renders what the host sends and
 * asks the host for everything else; it holds no conversation of its own (the host saves it), only the
 * unsent text. Built with el() (text, never HTML) except answers, which go through renderMarkdown.
 */
import '../shared/jitless';
import { connectToHost, el } from '../shared/host';
import { renderMarkdown } from './markdown';
import { toPage, type AssistantView, type Chip, type MessageView, type PageState, type ToHost, type ToPage } from './protocol';
import './chat.css';

type StateMessage = Extract<ToPage, { type: 'state' }>;

const host = connectToHost<ToHost, ToPage, PageState>(toPage);
const root = document.getElementById('root')!;

let messages: MessageView[] = [];
let busy = false;
let chips: Chip[] = [];
let editor: StateMessage['editor'] = { problems: 0 };
/** Streaming answers are re-rendered at most once a frame. */
const pendingRender = new Set<string>();

const transcript = el('main', { class: 'transcript', attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' } });
const chipRow = el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': 'Context for the next question' } });
const input = el('textarea', {
  class: 'input',
  attrs: { rows: '3', 'aria-label': 'Ask Tiercel', placeholder: 'Ask about your code. Enter sends, Shift+Enter adds a line, @ attaches a file.' },
});
const picker = el(
  'select',
  { class: 'picker', title: 'Which model answers: Auto lets the router decide per question', attrs: { 'aria-label': 'Model' } },
  el('option', { text: 'Auto', attrs: { value: 'auto' } }),
  el('option', { text: 'Local', attrs: { value: 'local' } }),
  el('option', { text: 'Claude', attrs: { value: 'claude' } }),
);
const sendButton = el('button', { class: 'send', text: 'Send', attrs: { type: 'button' } });
const composer = el('footer', { class: 'composer' }, chipRow, input, el('div', { class: 'composer-bar' }, picker, el('span', { class: 'spacer' }), sendButton));
root.append(transcript, composer);

input.value = host.getState()?.draft ?? '';

function post(message: ToHost): void {
  host.post(message);
}

function send(): void {
  const text = input.value.trim();
  if (busy || !text) return;
  post({ type: 'send', text, preference: picker.value as 'auto' | 'local' | 'claude' });
  input.value = '';
  host.setState({ draft: '' });
}

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  } else if (event.key === 'Escape' && busy) {
    event.preventDefault();
    post({ type: 'cancel' });
  } else if (event.key === '@' && /(^|\s)$/.test(input.value.slice(0, input.selectionStart))) {
    event.preventDefault();
    post({ type: 'addChip', kind: 'pickFile' });
  }
});
input.addEventListener('input', () => host.setState({ draft: input.value }));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && busy && event.target !== input) post({ type: 'cancel' });
});
sendButton.addEventListener('click', () => (busy ? post({ type: 'cancel' }) : send()));
picker.addEventListener('change', () => post({ type: 'setPreference', preference: picker.value as 'auto' | 'local' | 'claude' }));

// Links in answers never navigate the page: the host opens them, http and https only.
for (const kind of ['click', 'auxclick'] as const) {
  transcript.addEventListener(kind, (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link) return;
    event.preventDefault();
    const url = link.getAttribute('href');
    if (url) post({ type: 'openLink', url });
  });
}

function setBusy(value: boolean): void {
  busy = value;
  sendButton.textContent = busy ? 'Stop' : 'Send';
  sendButton.title = busy ? 'Stop the answer (Esc)' : 'Send (Enter)';
  sendButton.classList.toggle('stop', busy);
  for (const button of transcript.querySelectorAll<HTMLButtonElement>('button.needs-idle')) button.disabled = busy;
}

function renderChips(): void {
  const buttons: HTMLElement[] = chips.map((chip) => {
    const remove = el('button', { class: 'chip-remove', text: '×', title: `Remove ${chip.label}`, attrs: { type: 'button', 'aria-label': `Remove ${chip.label}` } });
    remove.addEventListener('click', () => post({ type: 'removeChip', id: chip.id }));
    const title = [chip.detail, chip.privateReason ? `Not sent to Claude: ${chip.privateReason}` : ''].filter(Boolean).join('\n');
    return el(
      'span',
      { class: `chip${chip.privateReason ? ' private' : ''}${chip.live ? ' live' : ''}`, title, attrs: { role: 'listitem' } },
      chip.privateReason ? el('span', { class: 'chip-lock', text: 'local only', attrs: { 'aria-label': 'local only' } }) : undefined,
      el('span', { class: 'chip-label', text: chip.label }),
      remove,
    );
  });
  const add = (label: string, title: string, kind: 'currentFile' | 'problems' | 'pickFile' | 'definitions') => {
    const button = el('button', { class: 'chip-add', text: label, title, attrs: { type: 'button' } });
    button.addEventListener('click', () => post({ type: 'addChip', kind }));
    return button;
  };
  if (editor.file) buttons.push(add(`+ ${editor.file}`, 'Attach the current file (or its selection)', 'currentFile'));
  if (editor.problems > 0 && !chips.some((c) => c.kind === 'problems')) buttons.push(add(`+ Problems (${editor.problems})`, 'Attach the problems VS Code reports in this file', 'problems'));
  if (!chips.some((c) => c.kind === 'definitions')) buttons.push(add('+ Definitions', 'Let the context engine add the definitions the attached code uses', 'definitions'));
  buttons.push(add('@ File…', 'Attach a file from the workspace (or type @)', 'pickFile'));
  chipRow.replaceChildren(...buttons);
}

const EXAMPLES = ['Explain the selected code', 'Why does this throw?', 'Write a unit test for this function', 'How do I make this faster?'];

function emptyState(): HTMLElement {
  const examples = EXAMPLES.map((text) => {
    const button = el('button', { class: 'example', text, attrs: { type: 'button' } });
    button.addEventListener('click', () => {
      input.value = text;
      input.focus();
    });
    return el('li', {}, button);
  });
  const history = el('button', { class: 'link', text: 'Earlier conversations', attrs: { type: 'button' } });
  history.addEventListener('click', () => post({ type: 'command', command: 'history' }));
  return el(
    'section',
    { class: 'empty' },
    el('h2', { text: 'Ask about your code' }),
    el('p', { text: 'Explain, debug, review or draft code. The local model answers for free and in private; Claude takes what you send it, or what the router judges too big for the local model, within your budget.' }),
    el('ul', { class: 'examples' }, ...examples),
    el('p', { text: 'The current file (or selection) is attached; add problems, definitions or any file. Files your privacy settings exclude never go to Claude.' }),
    el('p', { class: 'keys', text: 'Enter sends · Shift+Enter new line · Esc stops' }),
    history,
  );
}

function renderTranscript(): void {
  if (!messages.length) {
    transcript.replaceChildren(emptyState());
    return;
  }
  const latest = [...messages].reverse().find((m): m is AssistantView & { role: 'assistant' } => m.role === 'assistant' && m.status !== 'streaming');
  const nodes: HTMLElement[] = [];
  for (const message of messages) {
    if (latest?.trimmed && latest.contextStart === message.id) nodes.push(trimMarker(latest.trimmed));
    nodes.push(renderMessage(message));
  }
  transcript.replaceChildren(...nodes);
  transcript.scrollTop = transcript.scrollHeight;
}

function trimMarker(count: number): HTMLElement {
  const text = `${count} earlier question${count === 1 ? '' : 's'} above ${count === 1 ? 'was' : 'were'} not sent with the last one: the conversation is longer than the model's window.`;
  return el('div', { class: 'trim-marker', text, attrs: { role: 'separator' } });
}

function renderMessage(message: MessageView): HTMLElement {
  if (message.role === 'user') {
    const attached = message.attachments.map((a) =>
      el('span', { class: `chip small${a.privateReason ? ' private' : ''}`, text: a.label, title: [a.detail, a.privateReason ? `Not sent to Claude: ${a.privateReason}` : ''].filter(Boolean).join('\n') }),
    );
    return el('article', { class: 'msg user', attrs: { 'data-id': message.id, 'aria-label': 'You' } }, el('div', { class: 'user-text', text: message.text }), attached.length ? el('div', { class: 'attached' }, ...attached) : undefined);
  }
  return renderAnswer(message);
}

function renderAnswer(answer: AssistantView): HTMLElement {
  const article = el('article', { class: `msg assistant ${answer.tier ?? ''} ${answer.status}`, attrs: { 'data-id': answer.id, 'aria-label': answer.label || 'Answer' } });
  const label = el('span', { class: 'tier-label', text: answer.label || 'Routing…', title: answer.reason, attrs: { tabindex: '0' } });
  article.append(el('header', { class: 'meta' }, label, answer.status === 'streaming' ? el('span', { class: 'spinner', attrs: { 'aria-label': 'answering' } }) : undefined));
  if (answer.fallback) article.append(el('div', { class: 'note', text: `${answer.tier === 'local' ? 'Claude' : 'The local model'} was not used: ${answer.fallback}.` }));
  for (const out of answer.leftOut) article.append(el('div', { class: 'note', text: `Not sent: ${out.label} (${out.reason})` }));
  if (answer.redactions) article.append(el('div', { class: 'note', text: `${answer.redactions} secret${answer.redactions === 1 ? '' : 's'} redacted before sending.` }));
  const body = el('div', { class: 'body markdown' });
  fillBody(body, answer);
  article.append(body);
  if (answer.status === 'cancelled') article.append(el('div', { class: 'note', text: 'Stopped.' }));
  if (answer.truncated) article.append(el('div', { class: 'note', text: 'Cut at the answer length limit (tiercel.chat.maxOutputTokens).' }));
  if (answer.error) {
    const buttons = answer.error.actions.map(({ action, title }) => {
      const button = el('button', { class: 'secondary needs-idle', text: title, attrs: { type: 'button' } });
      button.addEventListener('click', () => post({ type: 'action', id: answer.id, action }));
      return button;
    });
    article.append(el('div', { class: 'error', attrs: { role: 'alert' } }, el('span', { text: answer.error.message }), el('div', { class: 'actions' }, ...buttons)));
  }
  if (answer.canAskClaude && answer.status !== 'streaming') {
    const ask = el('button', { class: 'secondary ask-claude needs-idle', text: 'Ask Claude instead', title: 'Send the same question with the same context to Claude (through the budget gate)', attrs: { type: 'button' } });
    ask.disabled = busy;
    ask.addEventListener('click', () => post({ type: 'askClaude', id: answer.id }));
    article.append(el('div', { class: 'actions' }, ask));
  }
  return article;
}

function fillBody(body: HTMLElement, answer: AssistantView): void {
  const { fragment, blocks } = renderMarkdown(answer.text);
  for (const block of blocks) {
    const button = (text: string, title: string, message: () => ToHost) => {
      const b = el('button', { class: 'code-action', text, title, attrs: { type: 'button' } });
      b.addEventListener('click', () => post(message()));
      return b;
    };
    const target = block.file ? ` to ${block.file}` : '';
    block.element.prepend(
      el(
        'div',
        { class: 'code-toolbar' },
        el('span', { class: 'code-lang', text: block.language }),
        button('Copy', 'Copy the code', () => ({ type: 'copy', code: block.code })),
        button('Insert', 'Insert at the cursor', () => ({ type: 'insert', code: block.code })),
        button('Apply', `Show it applied${target} as a diff, then apply`, () => ({ type: 'apply', code: block.code, answerId: answer.id, ...(block.file ? { file: block.file } : {}) })),
      ),
    );
  }
  body.replaceChildren(fragment);
}

function replaceMessage(message: MessageView, position: number): void {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at >= 0) messages[at] = message;
  else messages.splice(position, 0, message);
  const existing = transcript.querySelector(`[data-id="${message.id}"]`);
  // A finished answer may move the trim marker: redraw all; otherwise just this message.
  if (!existing || (message.role === 'assistant' && message.status !== 'streaming')) return renderTranscript();
  existing.replaceWith(renderMessage(message));
  transcript.scrollTop = transcript.scrollHeight;
}

function updateText(id: string, text: string): void {
  const message = messages.find((m) => m.id === id);
  // A late update must not overwrite an answer that has ended: its final text came with it.
  if (!message || message.role !== 'assistant' || message.status !== 'streaming') return;
  message.text = text;
  if (pendingRender.has(id)) return;
  pendingRender.add(id);
  requestAnimationFrame(() => {
    pendingRender.delete(id);
    // Looked up again: the answer may have ended (and been replaced) since this frame was asked for.
    const current = messages.find((m) => m.id === id);
    if (!current || current.role !== 'assistant' || current.status !== 'streaming') return;
    const body = transcript.querySelector<HTMLElement>(`[data-id="${id}"] .body`);
    if (body) fillBody(body, current);
    const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
    if (nearBottom) transcript.scrollTop = transcript.scrollHeight;
  });
}

host.onMessage((message) => {
  switch (message.type) {
    case 'state':
      messages = message.conversation.messages;
      chips = message.chips;
      editor = message.editor;
      picker.value = message.preference;
      renderTranscript();
      renderChips();
      setBusy(message.busy);
      break;
    case 'message':
      replaceMessage(message.message, message.at);
      setBusy(busy);
      break;
    case 'text':
      updateText(message.id, message.text);
      break;
    case 'chips':
      chips = message.chips;
      editor = message.editor;
      renderChips();
      break;
    case 'busy':
      setBusy(message.busy);
      break;
    case 'focus':
      input.focus();
      break;
  }
});

post({ type: 'ready' });
input.focus();
