/**
 * The items of a structured answer that point at lines of a file (review findings, debug fixes): each is
 * validated by its own schema, its path normalized and looked up among the files the model was shown. A
 * malformed item, or one naming another file, is rejected with a reason, never shown at a wrong place;
 * the lines are judged by the caller, each task in its own way.
 */
import * as z from 'zod';

/** Paths as the model writes them (`./src\\a.ts`) compared as the workspace's (`src/a.ts`). */
export function normalizePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * `check` judges an item's lines against its file (it may adjust them): a reason rejects it. Kept and
 * rejected items keep the answer's order.
 */
export function locatedItems<T extends { file: string }, F extends { path: string }>(
  candidates: readonly unknown[],
  schema: z.ZodType<T>,
  files: readonly F[],
  judge: { notShown: (file: string) => string; check: (item: T, file: F) => string | undefined },
): { kept: T[]; rejected: Array<{ candidate: unknown; reason: string }> } {
  const byPath = new Map(files.map((f) => [normalizePath(f.path), f]));
  const kept: T[] = [];
  const rejected: Array<{ candidate: unknown; reason: string }> = [];
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) {
      rejected.push({ candidate, reason: z.prettifyError(parsed.error) });
      continue;
    }
    const item = { ...parsed.data, file: normalizePath(parsed.data.file) };
    const file = byPath.get(item.file);
    const reason = file ? judge.check(item, file) : judge.notShown(item.file);
    if (reason === undefined) kept.push(item);
    else rejected.push({ candidate, reason });
  }
  return { kept, rejected };
}
