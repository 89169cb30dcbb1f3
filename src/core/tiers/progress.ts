import type { Route } from '../router';
import type { Routed } from './tierSet';

/**
 * What a task reports while it runs on a routed tier, for a progress notification: "Waiting for Claude…
 * (Claude: review of 3 files)", then "The local model is reviewing… 1,234 characters".
 */
export function taskProgress(
  verb: string,
  onProgress: ((message: string) => void) | undefined,
  onRoute?: (route: Route) => void,
): { onRoute: (routed: Routed) => void; onStatus: (status: string) => void; onText: (delta: string) => void } {
  let who = 'The model is';
  let received = 0;
  return {
    onRoute: ({ route }) => {
      who = route.tier === 'claude' ? 'Claude is' : 'The local model is';
      onRoute?.(route);
      onProgress?.(`Waiting for ${route.tier === 'claude' ? 'Claude' : 'the local model'}… (${route.reason})`);
    },
    onStatus: (status) => onProgress?.(status),
    onText: (delta) => {
      received += delta.length;
      onProgress?.(`${who} ${verb}… ${received.toLocaleString('en-US')} characters`);
    },
  };
}
