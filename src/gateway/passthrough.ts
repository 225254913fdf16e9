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

/** The ChatGPT Codex backend (`/backend-api/codex/responses`), as Codex CLI itself speaks to it. */
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
    field: 'instructions',
    why: 'the backend requires instructions ("Instructions are required"); leading system turns become them',
    apply: (b) => {
      if (typeof b.instructions === 'string' && b.instructions !== '') return false;
      b.instructions = takeLeadingSystem(b) ?? DEFAULT_CODEX_INSTRUCTIONS;
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

/** Removes the system/developer messages before the first other input item and returns their text. */
function takeLeadingSystem(body: Record<string, unknown>): string | null {
  if (!Array.isArray(body.input)) return null;
  const texts: string[] = [];
  let n = 0;
  for (const item of body.input as unknown[]) {
    const m = item as { type?: unknown; role?: unknown; content?: unknown } | null;
    if (!m || (m.type !== undefined && m.type !== 'message')) break;
    if (m.role !== 'system' && m.role !== 'developer') break;
    texts.push(textOf(m.content));
    n++;
  }
  if (n === 0) return null;
  body.input = (body.input as unknown[]).slice(n);
  return texts.join('\n\n');
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
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
