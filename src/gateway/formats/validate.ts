import type { z } from 'zod';
import { ClawkeepError } from '../../errors.js';

type Issue = z.core.$ZodIssue;

/**
 * Validates a client request body against `schema`; on failure throws `ClawkeepError('usage')` whose
 * message names the first bad field as a path (`messages[2].content[0].type: expected "text" | …`).
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ClawkeepError('usage', issue ? describeIssue(issue, []) : 'invalid request body');
}

/** Throws the usage error for a field that passed the schema but breaks a cross-field rule. */
export function invalidField(path: readonly PropertyKey[], message: string): never {
  throw new ClawkeepError('usage', `${formatPath(path)}: ${message}`);
}

/** Renders `['messages', 2, 'content']` as `messages[2].content`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}

function describeIssue(issue: Issue, prefix: readonly PropertyKey[]): string {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // zod reports a bad discriminator as a union issue carrying the allowed values in `options`.
    if ('options' in issue && Array.isArray(issue.options)) {
      return `${formatPath(path)}: expected ${quoteAll(issue.options)}`;
    }
    const expected = shallowTypes(issue.errors);
    if (expected) return `${formatPath(path)}: expected ${expected.join(' | ')}`;
    const deepest = deepestBranch(issue.errors);
    if (deepest) return describeIssue(deepest, path);
  }
  return `${formatPath(path)}: ${messageOf(issue)}`;
}

/** The union branch that got furthest into the value: its error is the one the client needs. */
function deepestBranch(branches: readonly (readonly Issue[])[]): Issue | undefined {
  let best: Issue | undefined;
  for (const branch of branches) {
    const first = branch[0];
    if (first && (best === undefined || first.path.length > best.path.length)) best = first;
  }
  return best;
}

/** When every branch rejected the value's type outright: the list of types it could have been. */
function shallowTypes(branches: readonly (readonly Issue[])[]): string[] | null {
  const types: string[] = [];
  for (const branch of branches) {
    const first = branch[0];
    if (first?.code !== 'invalid_type' || first.path.length > 0) return null;
    types.push(first.expected);
  }
  return types.length > 0 ? types : null;
}

function messageOf(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected ${quoteAll(issue.values)}`;
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'integer' : issue.expected;
      return issue.input === undefined ? `required (${expected})` : `expected ${expected}`;
    }
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(' | ');
}
