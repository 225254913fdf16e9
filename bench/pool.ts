/**
 * bench/pool: the same scripted traces over three Codex logins, served with `quota-aware` (ours,
 * drain first), `round-robin` and `fill-first` (CLIProxyAPI's two strategies), side by side. The
 * upstream is the emulator's quota model (5-hour windows that start at a login's first call after a
 * reset, fill as it serves, 429 once full) and its `x-codex-*` headers; the gateway side is the real
 * ProfilePicker, QuotaBook and header parser, on a virtual clock. Traces: a working day, steady
 * traffic, bursts, one login nearly empty, and windows that reset at different times. Prints, per
 * trace and strategy: 429s that reached clients, upstream 429s met (each a wasted call and a
 * fallback), conversations that changed login, and the headroom left unused when windows reset.
 *
 *   node --import tsx bench/pool.ts [requests]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { codexQuotaHeaders, Quotas } from '../src/emulator/quotas.js';
import { QuotaBook } from '../src/gateway/quota/book.js';
import { parseQuotaHeaders } from '../src/gateway/quota/parse-headers.js';
import { ProfilePicker, type Strategy, type Target } from '../src/gateway/routing.js';
import { openStore } from '../src/store/open-store.js';

const REQUESTS = Number(process.argv[2] ?? 900);
const LOGINS = ['openai-codex:a', 'openai-codex:b', 'openai-codex:c'];
const DAY = 86_400_000;
const START = Date.UTC(2026, 11, 1, 0, 0, 0);
const COOLDOWN_MS = 60_000; // the gateway's default rest after a 429 without Retry-After

type Day = Array<{ at: number; conversation: string }>;

/** A deterministic random source. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Conversations of 3–40 turns, 20–140 s apart, each starting at an hour `startHour()` picks. */
function conversations(seed: number, startHour: (rand: () => number) => number): Day {
  const rand = rng(seed);
  const out: Day = [];
  let n = 0;
  while (out.length < REQUESTS) {
    let at = START + startHour(rand) * 3_600_000;
    const turns = 3 + Math.floor(rand() * 38);
    const conversation = `conv-${n++}`;
    for (let i = 0; i < turns && out.length < REQUESTS; i++) {
      out.push({ at: Math.min(at, START + DAY - 1), conversation });
      at += 20_000 + rand() * 120_000;
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Where each login's windows stand when a trace starts: used percent, and when its window began. */
type Start = Record<string, { used: number; startedHoursAgo: number }>;
const FRESH: Start = Object.fromEntries(LOGINS.map((id) => [id, { used: 0, startedHoursAgo: 0 }]));

interface Trace {
  name: string;
  day: Day;
  start: Start;
}

const workday = conversations(42, (r) => (r() < 0.8 ? 8 + r() * 10 : r() * 24));
const TRACES: Trace[] = [
  { name: 'workday', day: workday, start: FRESH },
  { name: 'steady', day: conversations(7, (r) => r() * 24), start: FRESH },
  {
    name: 'bursts',
    day: conversations(11, (r) => [2, 6, 9.5, 13, 16.5, 21][Math.floor(r() * 6)]! + r() * 0.5),
    start: FRESH,
  },
  {
    name: 'one-nearly-empty',
    day: workday,
    start: { ...FRESH, 'openai-codex:a': { used: 95, startedHoursAgo: 1 } },
  },
  {
    name: 'staggered-resets',
    day: workday,
    start: {
      'openai-codex:a': { used: 70, startedHoursAgo: 4 },
      'openai-codex:b': { used: 40, startedHoursAgo: 2 },
      'openai-codex:c': { used: 0, startedHoursAgo: 0 },
    },
  },
];

interface Result {
  strategy: Strategy;
  requests: number;
  clientErrors: number;
  errorsWithHeadroom: number;
  upstream429: number;
  moves: number;
  /** Percent points of primary windows left unused when they reset, summed over logins. */
  unusedAtReset: number;
}

async function run(strategy: Strategy, trace: Trace): Promise<Result> {
  const { day } = trace;
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-bench-pool-'));
  const { store } = openStore({ home });
  const book = new QuotaBook({ store, log: pino({ level: 'silent' }), saveEveryMs: 60_000 });
  const picker = new ProfilePicker(book);
  const upstream = new Quotas();
  // Each login held to its windows, as a real plan is, starting where the trace says.
  const last = new Map<string, { used: number; resetAt: number }>();
  for (const id of LOGINS) {
    const { used, startedHoursAgo } = trace.start[id]!;
    const began = START - startedHoursAgo * 3_600_000;
    upstream.set(id, 'primary', used, began);
    const w = upstream.peek(id, began).primary;
    last.set(id, { used: w.usedPercent, resetAt: w.resetAt * 1000 });
  }
  const target: Target = { provider: 'openai-codex', model: 'gpt-5', profiles: LOGINS, strategy };
  const resting = new Map<string, number>();
  const lastLogin = new Map<string, string>();
  const r: Result = {
    strategy,
    requests: 0,
    clientErrors: 0,
    errorsWithHeadroom: 0,
    upstream429: 0,
    moves: 0,
    unusedAtReset: 0,
  };
  for (const { at, conversation } of day) {
    r.requests++;
    const plan = picker.plan(target, LOGINS, conversation, at);
    let served: string | null = null;
    for (const id of plan.ids) {
      if ((resting.get(id) ?? 0) > at) continue;
      const full = upstream.full(id, at);
      if (full) {
        r.upstream429++;
        book.observe(id, parseQuotaHeaders('openai-codex', codexQuotaHeaders(full), at)!);
        resting.set(id, at + COOLDOWN_MS);
        continue;
      }
      const usage = upstream.use(id, at);
      const before = last.get(id)!;
      if (usage.primary.resetAt * 1000 !== before.resetAt) r.unusedAtReset += 100 - before.used;
      last.set(id, { used: usage.primary.usedPercent, resetAt: usage.primary.resetAt * 1000 });
      book.observe(id, parseQuotaHeaders('openai-codex', codexQuotaHeaders(usage), at)!);
      served = id;
      break;
    }
    if (served === null) {
      r.clientErrors++;
      if (LOGINS.some((id) => upstream.full(id, at) === null && headroomOf(upstream, id, at) > 0.2))
        r.errorsWithHeadroom++;
      continue;
    }
    picker.settle(target, conversation, served);
    const before = lastLogin.get(conversation);
    if (before !== undefined && before !== served) r.moves++;
    lastLogin.set(conversation, served);
  }
  // Windows that ran out before the day ended count too.
  for (const w of last.values()) if (w.resetAt <= START + DAY) r.unusedAtReset += 100 - w.used;
  await book.flush();
  await store.close();
  rmSync(home, { recursive: true, force: true });
  return r;
}

/** The upstream's own view of what is left (what a perfect oracle would know). */
function headroomOf(q: Quotas, id: string, at: number): number {
  const u = q.peek(id, at);
  return 1 - Math.max(u.primary.usedPercent, u.secondary.usedPercent) / 100;
}

console.log(
  `bench/pool: ${REQUESTS} requests per trace over ${LOGINS.length} Codex logins (5-hour windows of 100 calls)`,
);
console.log(
  'trace             strategy      client-429  429/best-peer  upstream-429  moves  moves/rr  unused-at-reset',
);
for (const trace of TRACES) {
  const results: Result[] = [];
  for (const s of ['quota-aware', 'round-robin', 'fill-first'] as const) results.push(await run(s, trace));
  const rr = results.find((x) => x.strategy === 'round-robin')!;
  const bestPeer = Math.min(
    ...results.filter((x) => x.strategy !== 'quota-aware').map((x) => x.clientErrors),
  );
  for (const x of results) {
    console.log(
      `${trace.name.padEnd(17)} ${x.strategy.padEnd(12)} ${String(x.clientErrors).padStart(11)}  ${(x.clientErrors / Math.max(1, bestPeer)).toFixed(2).padStart(13)}  ${String(x.upstream429).padStart(12)}  ${String(x.moves).padStart(5)}  ${(x.moves / Math.max(1, rr.moves)).toFixed(2).padStart(8)}  ${`${x.unusedAtReset.toFixed(0)} %`.padStart(15)}`,
    );
  }
}
