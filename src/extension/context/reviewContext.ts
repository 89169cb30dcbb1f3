import * as vscode from 'vscode';
import { gatherDefinitions } from '../../core/review/definitions';
import type { DefinitionsSource } from '../review/reviewController';
import type { ContextService } from './contextService';

/** The context engine of the reviewed folder as review's and debug's source of definitions. */
export function reviewContextSource(contextService: ContextService): DefinitionsSource {
  return async (files, root, filter) => {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
    if (!folder) return [];
    return gatherDefinitions(contextService.engineForFolder(folder), files, { filter });
  };
}
