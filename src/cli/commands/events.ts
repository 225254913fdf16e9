import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import pc from 'picocolors';
import type { StoreEvent } from '../../store/types.js';
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
      await withStore(io, program.opts<GlobalOptions>(), async (store) => {
        const filter = o.profile ? { profileId: o.profile } : {};
        const all = await store.listEvents({ ...filter, limit: 1_000_000 });
        const latest = all.slice(-Math.max(1, Number(o.limit) || 50));
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

function formatEvent(e: StoreEvent, json: boolean): string {
  if (json) return JSON.stringify(e);
  const data = Object.entries(e.data)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${pc.dim(new Date(e.at).toISOString())} ${pc.bold(e.kind.padEnd(18))} ${e.profileId ?? '-'} ${data}`;
}
