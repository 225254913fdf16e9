/**
 * bench/pool: the same scripted day of requests over three Codex logins, served with `quota-aware`,
 * `round-robin` and `fill-first`, side by side. The upstream is the emulator's quota model (windows
 * that fill as it serves, 429 once full) and its `x-codex-*` headers; the gateway side is the real
 * ProfilePicker, QuotaBook and header parser, on a virtual clock. Prints, per strategy: requests,
 * 429s that reached clients, 429s while another login still had more than 20 % headroom, upstream
 * 429s met (each one a wasted call and a fallback), and conversations that changed login.
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

/** A deterministic day: conversations of 3–40 turns, most of them in working hours. */
function script(seed: number): Array<{ at: number; conversation: string }> {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out: Array<{ at: number; conversation: string }> = [];
  let n = 0;
  while (out.length < REQUESTS) {
    const hour = rand() < 0.8 ? 8 + rand() * 10 : rand() * 24;
    let at = START + hour * 3_600_000;
    const turns = 3 + Math.floor(rand() * 38);
    const conversation = `conv-${n++}`;
    for (let i = 0; i < turns && out.length < REQUESTS; i++) {
      out.push({ at: Math.min(at, START + DAY - 1), conversation });
      at += 20_000 + rand() * 120_000;
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

interface Result {
  strategy: Strategy;
  requests: number;
  clientErrors: number;
  errorsWithHeadroom: number;
  upstream429: number;
  moves: number;
}

async function run(strategy: Strategy, day: Array<{ at: number; conversation: string }>): Promise<Result> {
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-bench-pool-'));
  const { store } = openStore({ home });
  const book = new QuotaBook({ store, log: pino({ level: 'silent' }), saveEveryMs: 60_000 });
  const picker = new ProfilePicker(book);
  const upstream = new Quotas();
  for (const id of LOGINS) upstream.set(id, 'primary', 0, START); // held to its windows, as a real plan is
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
      book.observe(id, parseQuotaHeaders('openai-codex', codexQuotaHeaders(upstream.use(id, at)), at)!);
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

const day = script(42);
const results: Result[] = [];
for (const s of ['quota-aware', 'round-robin', 'fill-first'] as const) results.push(await run(s, day));
const rr = results.find((x) => x.strategy === 'round-robin')!;
console.log(`bench/pool: ${REQUESTS} requests over ${LOGINS.length} logins in one scripted day`);
console.log(
  'strategy       requests  client-429  429-with-headroom  upstream-429  conversation-moves  moves/rr',
);
for (const x of results) {
  console.log(
    `${x.strategy.padEnd(14)} ${String(x.requests).padStart(8)}  ${String(x.clientErrors).padStart(10)}  ${String(x.errorsWithHeadroom).padStart(17)}  ${String(x.upstream429).padStart(12)}  ${String(x.moves).padStart(18)}  ${(x.moves / Math.max(1, rr.moves)).toFixed(2).padStart(8)}`,
  );
}
