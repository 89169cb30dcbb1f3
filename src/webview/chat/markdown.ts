/**
 * Model answers to DOM, safely. Three layers, because one is a bug away from an XSS (claude-code-chat#224,
 * jules-extension#552): markdown-it with raw HTML off (an answer's `<script>` is text), DOMPurify over its
 * output (no event attributes, no style, no frames or forms, links only http/https), and the CSP with a
 * nonce (src/extension/webviews/html.ts) under both. Code is highlighted by highlight.js core with the
 * languages registered below: each costs 1-8 KB minified (CSS 13.5 KB and C++ 6 KB were left out), and
 * a block in another language is shown plain.
 */
import DOMPurify, { type Config } from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import MarkdownIt from 'markdown-it';

for (const [name, language] of Object.entries({ bash, diff, go, java, javascript, json, python, rust, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}

const md = new MarkdownIt({
  html: false,
  linkify: true,
  highlight: (code, lang) => {
    const language = lang && hljs.getLanguage(lang) ? lang : undefined;
    // highlight.js escapes the code; '' tells markdown-it to escape it itself.
    return language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : '';
  },
});

// A fence's info is "lang [path]": the path goes on the block so Apply knows the target file.
const fence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const [lang = '', file = ''] = tokens[idx]!.info.trim().split(/\s+/);
  const attrs = `data-lang="${md.utils.escapeHtml(lang)}" data-file="${md.utils.escapeHtml(file)}"`;
  return `<div class="code-block" ${attrs}>${fence(tokens, idx, options, env, self)}</div>`;
};
// Images could only be remote (blocked by the CSP) or data: URLs: show them as links instead.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = token.content || src;
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(`[image: ${alt}]`)}</a>`;
};

const PURIFY: Config & { RETURN_DOM_FRAGMENT: true } = {
  RETURN_DOM_FRAGMENT: true,
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'iframe', 'frame', 'form', 'input', 'button', 'textarea', 'select', 'img', 'svg', 'math', 'object', 'embed', 'video', 'audio', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  ALLOWED_URI_REGEXP: /^https?:/i,
};

export interface CodeBlock {
  element: HTMLElement;
  code: string;
  language: string;
  /** The path the fence named, if any. */
  file: string;
}

/** Renders an answer's Markdown into sanitized nodes, and lists its code blocks for their buttons. */
export function renderMarkdown(text: string): { fragment: DocumentFragment; blocks: CodeBlock[] } {
  const fragment = DOMPurify.sanitize(md.render(text), PURIFY);
  const blocks = [...fragment.querySelectorAll<HTMLElement>('.code-block')].map((element) => ({
    element,
    code: element.querySelector('code')?.textContent ?? '',
    language: element.dataset.lang ?? '',
    file: element.dataset.file ?? '',
  }));
  for (const link of fragment.querySelectorAll('a')) link.title = link.getAttribute('href') ?? '';
  return { fragment, blocks };
}
