import type { z } from 'zod';
import { deepestBranch } from './validate.js';

// api.anthropic.com words request errors as its validator does:
// `messages.1.role: Input should be 'user' or 'assistant'`, `foo: Extra inputs are not permitted`.

/** `'a', 'b' or 'c'`: how the API lists allowed values. */
export function orList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 2 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

const VALID: Record<string, string> = {
  string: 'a valid string',
  number: 'a valid number',
  int: 'a valid integer',
  boolean: 'a valid boolean',
  array: 'a valid list',
  object: 'a valid dictionary',
  record: 'a valid dictionary',
};

/** One validation issue in the API's words: `<dotted path>: <problem>`. */
export function describeAnthropicIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid request body';
  const path = issue.path.map(String).join('.');
  const at = (p: string) => (p === '' ? '' : `${p}: `);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${at([path, issue.keys[0]].filter(Boolean).join('.'))}Extra inputs are not permitted`;
    case 'invalid_type':
      return issue.input === undefined
        ? `${at(path)}Field required`
        : `${at(path)}Input should be ${VALID[issue.expected] ?? `a valid ${issue.expected}`}`;
    case 'invalid_value':
      return `${at(path)}Input should be ${orList(issue.values)}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `${at(path)}List should have at least ${issue.minimum} item`
        : issue.origin === 'string'
          ? `${at(path)}String should have at least ${issue.minimum} character`
          : `${at(path)}Input should be greater than or equal to ${issue.minimum}`;
    case 'too_big':
      return `${at(path)}Input should be less than or equal to ${issue.maximum}`;
    case 'invalid_union': {
      const branch = deepestBranch(issue.errors);
      if (branch) return describeAnthropicIssue({ ...branch, path: [...issue.path, ...branch.path] });
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      const input = issue.input as Record<string, unknown> | undefined;
      if (discriminator && input?.[discriminator] === undefined) return `${at(path)}Field required`;
      if (discriminator && options) {
        const parent = issue.path.slice(0, -1).map(String).join('.');
        return `${at(parent)}Input tag '${String(input?.[discriminator])}' found using '${discriminator}' does not match any of the expected tags: ${options.map((o) => `'${String(o)}'`).join(', ')}`;
      }
      return `${at(path)}Input is invalid`;
    }
    default:
      return `${at(path)}${issue.message}`;
  }
}
