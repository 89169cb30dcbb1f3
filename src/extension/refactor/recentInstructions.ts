import * as vscode from 'vscode';

const KEY = 'tiercel.refactor.recentInstructions';
/** Instructions remembered per workspace, most recent first. */
const KEPT = 10;

/**
 * "Refactor with Instructions…": an input that offers the instructions given before in this workspace
 * (pick one, or type a new one). A quick pick rather than an input box, because only it can list them.
 */
export async function askInstructions(state: vscode.Memento): Promise<string | undefined> {
  const recent = state.get<string[]>(KEY, []);
  const pick = vscode.window.createQuickPick();
  pick.title = 'Tiercel: Refactor with Instructions';
  pick.placeholder = recent.length ? 'Describe the change, or pick one you asked for before' : 'Describe the change, e.g. "use a Map instead of the array"';
  pick.ignoreFocusOut = true;
  const previous = recent.map((text) => ({ label: text, description: 'recent' }));
  pick.items = previous;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed && !recent.includes(typed) ? [{ label: typed, description: 'new' }, ...previous] : previous;
  });
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined)));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (chosen) await state.update(KEY, [chosen, ...recent.filter((r) => r !== chosen)].slice(0, KEPT));
  return chosen;
}
