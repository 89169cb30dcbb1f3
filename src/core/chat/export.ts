/** A conversation as a Markdown document: what was asked, what was attached, who answered and why. */
import type { Conversation } from './types';

export function conversationToMarkdown(conversation: Conversation, now: Date = new Date()): string {
  const lines = [`# ${conversation.title}`, '', `_Exported from Tiercel on ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC._`, ''];
  for (const message of conversation.messages) {
    if (message.role === 'user') {
      lines.push('## You', '', message.text, '');
      if (message.attachments.length) lines.push(`Attached: ${message.attachments.map((a) => `\`${a.label}\``).join(', ')}`, '');
      continue;
    }
    const who = message.label || 'Answer';
    lines.push(`### ${who}`, '');
    if (message.reason) lines.push(`_${message.reason}_`, '');
    if (message.trimmed) lines.push(`> ${message.trimmed} earlier question(s) were not sent with this one: the conversation is longer than the model's window.`, '');
    for (const out of message.leftOut) lines.push(`> Not sent: ${out.label} (${out.reason})`);
    if (message.leftOut.length) lines.push('');
    if (message.text) lines.push(message.text, '');
    if (message.status === 'cancelled') lines.push('_(stopped)_', '');
    if (message.error) lines.push(`> Failed: ${message.error.message}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
