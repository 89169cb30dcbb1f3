/**
 * Fitting a conversation into a model's window: the newest exchanges are kept, the oldest dropped whole
 * (a question never goes without its answer), and the caller is told how many were dropped so the
 * transcript can show where the model's memory starts. Never silent: a dropped exchange is counted.
 */

export interface Fitted<T> {
  /** The newest items whose costs fit the budget, oldest first. */
  kept: T[];
  /** How many of the oldest items did not fit. */
  dropped: number;
}

/**
 * Keeps the longest run of newest items whose summed cost fits `budget`. Stops at the first item that
 * does not fit rather than skipping it for an older, smaller one: a conversation with a hole in the
 * middle reads as a different conversation to the model.
 */
export function fitNewest<T>(items: readonly T[], budget: number, cost: (item: T) => number): Fitted<T> {
  let left = budget;
  let start = items.length;
  while (start > 0) {
    const next = cost(items[start - 1]!);
    if (next > left) break;
    left -= next;
    start--;
  }
  return { kept: items.slice(start), dropped: start };
}
