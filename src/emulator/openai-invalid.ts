import { z } from 'zod';
import { deepestBranch } from './validate.js';

/** The body of an OpenAI API 400 (`api.openai.com` and the Responses engine behind the Codex backend). */
export interface OpenAIInvalid {
  error: { message: string; type: 'invalid_request_error'; param: string | null; code: string | null };
}

export function openaiInvalid(message: string, param: string | null, code: string | null): OpenAIInvalid {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

/** `tools[0].name`: the OpenAI API's way of naming a field. */
export function openaiParam(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** An integer whose type error reads "expected an integer", as the API's does (zod reports "number"). */
export function integer() {
  return z.custom<number>((v) => typeof v === 'number' && Number.isInteger(v), {
    params: { expectedType: 'int' },
  });
}

/** Validates `body`; a failure becomes the 400 body the OpenAI API sends for the first problem. */
export function validateOpenAI<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; data: T } | { ok: false; error: OpenAIInvalid } {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? describeIssue(issue) : openaiInvalid('Invalid request.', null, null) };
}

function describeIssue(issue: z.core.$ZodIssue): OpenAIInvalid {
  const param = openaiParam(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = openaiParam([...issue.path, issue.keys[0] ?? '']);
      return openaiInvalid(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
    }
    case 'invalid_type':
      if (issue.input === undefined) return missing(param);
      return openaiInvalid(
        `Invalid type for '${param}': expected ${expected(issue.expected)}, but got ${got(issue.input)} instead.`,
        param,
        'invalid_type',
      );
    case 'invalid_value':
      return invalidValue(param, issue.input, issue.values);
    case 'invalid_union': {
      const branch = deepestBranch(issue.errors);
      if (branch) return describeIssue({ ...branch, path: [...issue.path, ...branch.path] });
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const options = (issue as { options?: unknown[] }).options;
      if (discriminator && options) {
        const input = issue.input as Record<string, unknown> | undefined;
        const value = input?.[discriminator];
        return value === undefined ? missing(param) : invalidValue(param, value, options);
      }
      return openaiInvalid(`Invalid value for '${param}'.`, param, 'invalid_value');
    }
    case 'custom': {
      const expectedType = (issue.params as { expectedType?: string } | undefined)?.expectedType;
      if (expectedType !== undefined) {
        return openaiInvalid(
          `Invalid type for '${param}': expected ${expected(expectedType)}, but got ${got(issue.input)} instead.`,
          param,
          'invalid_type',
        );
      }
      const code = (issue.params as { code?: string } | undefined)?.code ?? 'invalid_value';
      return openaiInvalid(issue.message, param, code);
    }
    default:
      return openaiInvalid(`Invalid '${param}': ${issue.message}.`, param, 'invalid_value');
  }
}

function missing(param: string): OpenAIInvalid {
  return openaiInvalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function invalidValue(param: string, value: unknown, values: readonly unknown[]): OpenAIInvalid {
  const quoted = values.map((v) => `'${String(v)}'`);
  const list =
    quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return openaiInvalid(
    `Invalid value: '${String(value)}'. Supported values are: ${list}.`,
    param,
    'invalid_value',
  );
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a decimal',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function expected(kind: string): string {
  return EXPECTED[kind] ?? `a ${kind}`;
}

function got(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return expected(typeof value);
}
