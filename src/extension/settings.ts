import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type TiercelSettings } from '../core/settings';

export type SettingsSection = keyof TiercelSettings;

/**
 * The one place that reads `tiercel.*`. It reads once and again only when VS Code says a `tiercel.*`
 * setting changed, and tells listeners which sections changed, so each reacts to its own (a budget cap
 * must not reset the completion engine).
 */
export class Config implements vscode.Disposable {
  private value = readSettings();
  private readonly changed = new vscode.EventEmitter<ReadonlySet<SettingsSection>>();
  /** Fires with the sections whose values changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration('tiercel')) return;
    const before = this.value;
    this.value = readSettings();
    const sections = (Object.keys(this.value) as SettingsSection[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(this.value[k]));
    if (sections.length) this.changed.fire(new Set(sections));
  });

  get current(): TiercelSettings {
    return this.value;
  }

  /** `current` as a function, for the core's `settings: () => …` dependencies. */
  readonly read = (): TiercelSettings => this.value;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Reads every `tiercel.*` setting over the core defaults (each section's keys come from DEFAULT_SETTINGS). */
function readSettings(): TiercelSettings {
  const config = vscode.workspace.getConfiguration('tiercel');
  const read = <S extends object>(section: string, defaults: S): S =>
    Object.fromEntries(Object.entries(defaults).map(([key, d]) => [key, config.get(`${section}.${key}`, d)])) as S;
  return Object.fromEntries(Object.entries(DEFAULT_SETTINGS).map(([section, defaults]) => [section, read(section, defaults as object)])) as unknown as TiercelSettings;
}
