import { DEFAULT_CODEX_INSTRUCTIONS } from './wire/openai-responses.js';

/**
 * What an upstream demands of a client body it would otherwise take as written. A passed-through
 * request changes only the credential, the model id and these adjustments, each with the upstream
 * behaviour it answers. Everything else (unknown fields, every tool type) rides along.
 */
export interface Adjustment {
  field: string;
  /** The upstream behaviour that makes the adjustment necessary. */
  why: string;
  /** Adjusts `body` in place; returns true when the client's field was removed (reported as dropped). */
  apply(body: Record<string, unknown>): boolean;
}

/**
 * The ChatGPT Codex backend (`/backend-api/codex/responses`), as Codex CLI itself speaks to it. Codex
 * CLI 0.171 sends no `instructions` (its system prompt is a developer message), so none is added.
 */
export const CODEX_BACKEND_ADJUSTMENTS: readonly Adjustment[] = [
  {
    field: 'store',
    why: 'the backend keeps no responses and refuses store:true ("Store must be set to false")',
    apply: (b) => {
      b.store = false;
      return false;
    },
  },
  {
    field: 'stream',
    why: 'the backend only streams ("Stream must be set to true"); a non-streaming client gets the collected response',
    apply: (b) => {
      b.stream = true;
      return false;
    },
  },
  {
    field: 'input',
    why: 'the backend takes input only as a list of items ("Input must be a list"); a string is one user message',
    apply: (b) => {
      if (typeof b.input === 'string') b.input = [{ type: 'message', role: 'user', content: b.input }];
      return false;
    },
  },
  {
    field: 'input[role=system]',
    why: 'the backend refuses system messages ("System messages are not allowed"); they become developer messages',
    apply: (b) => {
      if (!Array.isArray(b.input)) return false;
      b.input = (b.input as unknown[]).map((item) =>
        isMessage(item) && item.role === 'system' ? { ...item, role: 'developer' } : item,
      );
      return false;
    },
  },
  {
    field: 'instructions',
    why: 'the backend wants instructions or a developer message ("Instructions are required"); a stand-in only when there is neither',
    apply: (b) => {
      const developer =
        Array.isArray(b.input) && (b.input as unknown[]).some((i) => isMessage(i) && i.role === 'developer');
      if (typeof b.instructions !== 'string' && !developer) b.instructions = DEFAULT_CODEX_INSTRUCTIONS;
      return false;
    },
  },
  ...['max_output_tokens', 'temperature', 'top_p'].map(
    (field): Adjustment => ({
      field,
      why: `the backend refuses ${field} ("Unsupported parameter")`,
      apply: (b) => (field in b ? delete b[field] : false),
    }),
  ),
];

function isMessage(item: unknown): item is { role?: unknown } {
  if (item === null || typeof item !== 'object') return false;
  const type = (item as { type?: unknown }).type;
  return (type === undefined || type === 'message') && 'role' in item;
}

/** Applies `adjustments` to a copy of the client body with the target's model; lists removed fields. */
export function passThroughBody(
  json: Record<string, unknown>,
  model: string,
  adjustments: readonly Adjustment[],
): { body: string; dropped: string[] } {
  const body: Record<string, unknown> = { ...json, model };
  const dropped: string[] = [];
  for (const a of adjustments) if (a.apply(body)) dropped.push(a.field);
  return { body: JSON.stringify(body), dropped };
}
