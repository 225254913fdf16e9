import type { Command } from 'commander';
import { parseSince, summarizeUsage } from '../../gateway/usage/summary.js';
import { type GlobalOptions, withStore } from '../context.js';
import { formatTable, type Io, printJson } from '../output.js';

export function registerUsage(program: Command, io: Io): void {
  program
    .command('usage')
    .description('requests and tokens in/out per client and model, as the gateway served them')
    .option('--since <span>', 'how far back: 30m, 1h, 1d, 2w', '1d')
    .option('--json', 'machine-readable output')
    .action(async (o: { since: string; json?: boolean }) => {
      const since = Date.now() - parseSince(o.since);
      await withStore(io, program.opts<GlobalOptions>(), async (store) => {
        const totals = summarizeUsage(await store.listUsage(since - (since % 60_000)));
        if (o.json) return printJson(io, { since: new Date(since).toISOString(), usage: totals });
        if (totals.length === 0) return io.out(`no requests through the gateway in the last ${o.since}`);
        io.out(
          formatTable(
            ['CLIENT', 'MODEL', 'REQUESTS', 'TOKENS IN', 'TOKENS OUT'],
            totals.map((t) => [
              t.client,
              t.model,
              String(t.requests),
              String(t.tokensIn),
              String(t.tokensOut),
            ]),
          ),
        );
      });
    });
}
