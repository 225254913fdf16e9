import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ClawkeepError } from '../../errors.js';
import { profileNotFound } from '../../store/profile-id.js';
import type { Store, StoreEvent } from '../../store/types.js';
import { formatLocalTime } from '../../util/local-time.js';
import { untilStopSignal } from '../../util/stop-signal.js';
import { type GlobalOptions, withStore } from '../context.js';
import type { Io } from '../output.js';

export function registerEvents(program: Command, io: Io): void {
  program
    .command('events')
    .description('the append-only event log (rotations, re-auth, fallbacks, repairs)')
    .option('--profile <id>', 'only events of this profile')
    .option('--limit <n>', 'how many of the latest events', '50')
    .option('--follow', 'keep printing new events until interrupted')
    .option('--json', 'one JSON object per line')
    .action(async (o: { profile?: string; limit: string; follow?: boolean; json?: boolean }) => {
      const limit = parseLimit(o.limit);
      await withStore(io, program.opts<GlobalOptions>(), async (store) => {
        const filter = o.profile ? { profileId: o.profile } : {};
        const all = await store.listEvents({ ...filter, limit: 1_000_000 });
        if (o.profile && all.length === 0) await checkProfileKnown(store, o.profile);
        const latest = all.slice(-limit);
        for (const e of latest) io.out(formatEvent(e, Boolean(o.json)));
        if (!o.follow) return;
        let after = all.at(-1)?.seq ?? 0;
        const stop = new AbortController();
        const signal = untilStopSignal();
        void signal.signal.then(() => stop.abort());
        try {
          while (!stop.signal.aborted) {
            for (const e of await store.listEvents({ ...filter, afterSeq: after })) {
              io.out(formatEvent(e, Boolean(o.json)));
              after = e.seq;
            }
            await sleep(250, undefined, { signal: stop.signal }).catch(() => undefined);
          }
        } finally {
          signal.done();
        }
      });
    });
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new ClawkeepError('usage', `--limit ${text}: expected a whole number of events, 1 or more`);
  }
  return n;
}

/** A profile the store never had is a typo, not an empty log; a removed one keeps its history. */
async function checkProfileKnown(store: Store, id: string): Promise<void> {
  if (!(await store.getProfile(id))) throw profileNotFound(id);
}

function formatEvent(e: StoreEvent, json: boolean): string {
  if (json) return JSON.stringify(e);
  const data = Object.entries(e.data)
    .map(([k, v]) => `${k}=${formatValue(k, v)}`)
    .join(' ');
  return `${pc.dim(formatLocalTime(e.at))} ${pc.bold(e.kind.padEnd(18))} ${e.profileId ?? '-'} ${data}`;
}

// Event data names its instants `expires`, `until` or `…At` (epoch ms, or ISO text in older events).
const INSTANT_KEY = /^(expires|until)$|At$/;

function formatValue(key: string, v: unknown): string {
  if (INSTANT_KEY.test(key)) {
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(ms)) return formatLocalTime(ms);
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
