import type { Command } from 'commander';
import { parseReusePolicy, startEmulator } from '../../emulator/index.js';
import { ClawkeepError } from '../../errors.js';
import { explainListenError } from '../../runtime/listen-error.js';
import { untilStopSignal } from '../../util/stop-signal.js';
import { parseHostFlag, parsePortFlag } from '../flags.js';
import type { Io } from '../output.js';

export function registerEmulator(program: Command, io: Io): void {
  program
    .command('emulator')
    .description('run the local provider emulator (OpenAI/Codex + Anthropic OAuth and model endpoints)')
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '18791')
    .option('--reuse <policy>', 'refresh-token reuse policy: strict | grace:SECONDS | family', 'strict')
    .option('--access-ttl <seconds>', 'access-token lifetime', '3600')
    .action(async (o: { host: string; port: string; reuse: string; accessTtl: string }) => {
      const port = parsePortFlag(o.port);
      const host = parseHostFlag(o.host);
      const accessTtlSeconds = toInt(o.accessTtl, '--access-ttl');
      const emulator = await startEmulator({
        host,
        port,
        reuse: parseReusePolicy(o.reuse),
        accessTtlSeconds,
      }).catch(async (err: unknown) => {
        throw await explainListenError(err, { host, port });
      });
      io.out(
        `clawkeep emulator listening on ${emulator.url} (reuse ${o.reuse}, access ttl ${accessTtlSeconds}s)`,
      );
      io.out('point clawkeep at it with:');
      for (const [k, v] of Object.entries(emulator.env())) io.out(`  export ${k}=${v}`);
      io.out(`counters: curl ${emulator.url}/_emulator/stats`);
      const stop = untilStopSignal();
      try {
        await stop.signal;
        await emulator.close();
      } finally {
        stop.done();
      }
    });
}

function toInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new ClawkeepError('usage', `${flag} must be a whole number, got "${text}"`);
  return n;
}
