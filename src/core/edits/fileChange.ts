/**
 * What a model may propose to change in a workspace, file by file: lines replaced, a new file, or text
 * added at the end of an existing file (new tests). Front ends show each as a diff and apply them together.
 */
import { applyLineEdit, dominantEol, type LineEdit } from './lineEdit';

export type FileChange =
  | {
      kind: 'lines';
      /** Workspace-relative, forward slashes. */
      path: string;
      edit: LineEdit;
      /** The lines' text (`\n`-joined) the proposal was made from: a file that changed since is not edited. */
      expected?: string;
    }
  | { kind: 'create'; path: string; text: string }
  | { kind: 'append'; path: string; text: string };

/** The file's text once the change is made (`current`: its text now, '' for a new file). */
export function textAfterChange(change: FileChange, current: string): string {
  switch (change.kind) {
    case 'lines':
      return applyLineEdit(current, change.edit);
    case 'create':
      return change.text;
    case 'append':
      return appendText(current, change.text);
  }
}

/** `addition` after `current`, separated by one blank line, ending with a newline, in the file's line endings. */
export function appendText(current: string, addition: string): string {
  const eol = dominantEol(current);
  const body = addition.replace(/\r?\n/g, eol).replace(/(?:\r?\n)*$/, eol);
  if (!current.trim()) return body;
  return `${current.replace(/(?:\r?\n)*$/, '')}${eol}${eol}${body}`;
}
