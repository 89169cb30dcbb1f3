import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type TiercelSettings } from '../core/settings';

/** The one place that reads `tiercel.*`; everything else gets a typed TiercelSettings. */
export function readSettings(): TiercelSettings {
  const config = vscode.workspace.getConfiguration('tiercel');
  const d = DEFAULT_SETTINGS;
  return {
    ollama: {
      url: config.get<string>('ollama.url', d.ollama.url),
      completionModel: config.get<string>('ollama.completionModel', d.ollama.completionModel),
      chatModel: config.get<string>('ollama.chatModel', d.ollama.chatModel),
    },
    completions: {
      enabled: config.get<boolean>('completions.enabled', d.completions.enabled),
      languages: config.get<Record<string, boolean>>('completions.languages', d.completions.languages),
      maxTokens: config.get<number>('completions.maxTokens', d.completions.maxTokens),
      maxPromptTokens: config.get<number>('completions.maxPromptTokens', d.completions.maxPromptTokens),
      keepAlive: config.get<string>('completions.keepAlive', d.completions.keepAlive),
    },
    claude: {
      model: config.get<string>('claude.model', d.claude.model),
      baseUrl: config.get<string>('claude.baseUrl', d.claude.baseUrl),
      localOnly: config.get<boolean>('claude.localOnly', d.claude.localOnly),
    },
    budget: {
      dailyUsd: config.get<number>('budget.dailyUsd', d.budget.dailyUsd),
      monthlyUsd: config.get<number>('budget.monthlyUsd', d.budget.monthlyUsd),
      confirmAboveUsd: config.get<number>('budget.confirmAboveUsd', d.budget.confirmAboveUsd),
      statusBar: config.get<'usd' | 'tokens'>('budget.statusBar', d.budget.statusBar),
    },
    review: {
      confidenceThreshold: config.get<number>('review.confidenceThreshold', d.review.confidenceThreshold),
      maxInputTokens: config.get<number>('review.maxInputTokens', d.review.maxInputTokens),
      maxOutputTokens: config.get<number>('review.maxOutputTokens', d.review.maxOutputTokens),
    },
    privacy: {
      previewBeforeSending: config.get<boolean>('privacy.previewBeforeSending', d.privacy.previewBeforeSending),
    },
  };
}

export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('tiercel')) listener();
  });
}
