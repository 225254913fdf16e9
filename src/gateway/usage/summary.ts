import { ClawkeepError } from '../../errors.js';
import type { UsageRow } from '../../store/types.js';

/** Requests and tokens of one client and model over a span. */
export interface UsageTotal {
  client: string;
  model: string;
  requests: number;
  tokensIn: number;
  tokensOut: number;
}

/** Adds per-minute rows up per (client, model), busiest first. */
export function summarizeUsage(rows: readonly UsageRow[]): UsageTotal[] {
  const totals = new Map<string, UsageTotal>();
  for (const r of rows) {
    const key = `${r.client}\n${r.model}`;
    const t = totals.get(key) ?? { client: r.client, model: r.model, requests: 0, tokensIn: 0, tokensOut: 0 };
    t.requests += r.requests;
    t.tokensIn += r.tokensIn;
    t.tokensOut += r.tokensOut;
    totals.set(key, t);
  }
  return [...totals.values()].sort(
    (a, b) => b.requests - a.requests || a.client.localeCompare(b.client) || a.model.localeCompare(b.model),
  );
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 30m | 1h | 1d | 2w` in ms. */
export function parseSince(v: string): number {
  const m = /^(\d+)([mhdw])$/.exec(v.trim());
  if (!m) {
    throw new ClawkeepError(
      'usage',
      `--since "${v}" is not a span: use a number and m, h, d or w (30m, 1h, 1d, 2w)`,
    );
  }
  return Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
}
