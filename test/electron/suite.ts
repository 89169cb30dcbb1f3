/** Runs inside VS Code desktop (see runTest.ts). Throws on the first failed check. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension('tiercel.tiercel');
  assert.ok(extension, 'Tiercel is installed');
  await extension.activate();
  assert.ok(extension.isActive);

  const commands = await vscode.commands.getCommands(true);
  const contributed = (extension.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands;
  for (const { command } of contributed) assert.ok(commands.includes(command), `${command} is registered`);

  const config = vscode.workspace.getConfiguration('tiercel');
  assert.equal(config.get('ollama.url'), 'http://127.0.0.1:11434');
  assert.equal(config.get('ollama.completionModel'), 'qwen2.5-coder:1.5b-base');
  console.log(`electron suite: ${contributed.length} commands registered, settings readable`);
}
