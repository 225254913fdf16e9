import type { z } from 'zod';

export type Parsed<T> = { ok: true; data: T } | { ok: false; message: string };

/** Validates a request body; the message names the first bad field the way provider APIs do. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown): Parsed<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, message: `${where}${issue?.message ?? 'invalid request body'}` };
}

/** Of a plain union's failed branches, the issue that got furthest into the value (the branch the caller meant). */
export function deepestBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  for (const issues of branches) {
    const first = issues[0];
    if (first && first.path.length > 0 && (!best || first.path.length > best.path.length)) best = first;
  }
  return best;
}
