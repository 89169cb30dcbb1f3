/**
 * The words for a change that the git listing, the diff parser and the review collector share.
 */

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'unchanged';

/** A changed path, as git's name-status listing or a diff section names it. */
export interface ChangeEntry {
  status: Exclude<ChangeStatus, 'unchanged'>;
  path: string;
  oldPath?: string;
}
