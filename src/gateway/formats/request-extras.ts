import type { IrEffort } from './ir.js';

/**
 * What the request parsers share beyond content: the fields a client format carries that the neutral
 * request has no place for (reported as dropped, never silently), and the reasoning-effort scale.
 */

/** Top-level fields that only steer transport or storage: ignoring them loses nothing of the answer. */
const TRANSPORT_FIELDS: ReadonlySet<string> = new Set(['model', 'stream', 'stream_options', 'store']);

/** Names every top-level field of `body` that is neither mapped (`known`) nor a transport field. */
export function unmappedFields(body: unknown, known: ReadonlySet<string>): string[] {
  if (body === null || typeof body !== 'object') return [];
  return Object.keys(body).filter((k) => !known.has(k) && !TRANSPORT_FIELDS.has(k));
}

/** Collects dropped field paths once each, in first-seen order. */
export class Dropped {
  #paths = new Set<string>();

  add(path: string): void {
    this.#paths.add(path);
  }

  list(): string[] {
    return [...this.#paths];
  }
}

/** Thinking budgets (Anthropic `budget_tokens`) that stand for each OpenAI reasoning effort. */
export const EFFORT_BUDGET: Readonly<Record<IrEffort, number>> = {
  minimal: 1024,
  low: 4096,
  medium: 10_000,
  high: 24_000,
  xhigh: 32_000,
};

const EFFORTS: readonly IrEffort[] = ['minimal', 'low', 'medium', 'high', 'xhigh'];

/** The effort whose budget is nearest below or at `budget` (the smallest one for tiny budgets). */
export function effortForBudget(budget: number): IrEffort {
  let best: IrEffort = 'minimal';
  for (const e of EFFORTS) if (EFFORT_BUDGET[e] <= budget) best = e;
  return best;
}

export function isEffort(value: unknown): value is IrEffort {
  return typeof value === 'string' && (EFFORTS as readonly string[]).includes(value);
}

/** The type a block or item of a type with no neutral equivalent is given while parsing. */
export const OTHER = '(other)';

/**
 * Marks a value whose `type` is a string outside `known` as `{type: OTHER, original}`, so a schema
 * can accept it to report it dropped while blocks of known types are still validated strictly.
 */
export function markOther(v: unknown, known: ReadonlySet<string>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const type = (v as { type?: unknown }).type;
  return typeof type === 'string' && !known.has(type) ? { type: OTHER, original: type } : v;
}
