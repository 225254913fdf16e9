/**
 * The lifetime scenario of test/lifetime, as long as you like: the built CLI (`gateway run`, `token`,
 * `emulator`) in child processes, agents in two-turn tool-call conversations on a Codex login, a Claude
 * login and an API key, `clawkeep token` loops in other processes, and gateway restarts (SIGTERM and
 * SIGKILL) spread over the run. Prints the figures the test asserts.
 * Usage: npm run soak -- --minutes 30 [--store sqlite|postgres] [--access-ttl 8] [--agents 2] [--restarts 4]
 *        [--token-loops 1] [--pause-ms 20]
 */
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/helpers/postgres.js';
import { formatFigures, runLifetime } from '../test/lifetime/scenario.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    store: { type: 'string', default: 'sqlite' },
    'access-ttl': { type: 'string', default: '8' },
    agents: { type: 'string', default: '2' },
    'token-loops': { type: 'string', default: '1' },
    restarts: { type: 'string', default: '4' },
    'pause-ms': { type: 'string', default: '20' },
  },
});

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${flag} ${value}: expected a positive number`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const minutes = positive('minutes', values.minutes);
  if (values.store !== 'sqlite' && values.store !== 'postgres') {
    console.error(`soak: --store ${values.store}: expected sqlite or postgres`);
    process.exit(2);
  }
  const storeUrl = values.store === 'postgres' ? await createTestDatabase('soak') : null;
  const n = positive('restarts', values.restarts);
  const restarts = Array.from(
    { length: n },
    (_, i) => (i % 2 === 0 ? 'SIGTERM' : 'SIGKILL') as NodeJS.Signals,
  );
  const figures = await runLifetime({
    storeUrl,
    durationMs: minutes * 60_000,
    accessTtlSeconds: positive('access-ttl', values['access-ttl']),
    agentsPerLogin: positive('agents', values.agents),
    agentPauseMs: Number(values['pause-ms']) || 0,
    tokenLoops: positive('token-loops', values['token-loops']),
    restarts,
    keepHome: true,
    log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
  });
  console.log(formatFigures(figures));
  if (figures.leaks.length > 0) console.log(`first leaks:\n${figures.leaks.slice(0, 5).join('\n')}`);
  if (figures.tokenFailures.length > 0)
    console.log(`first token failures:\n${figures.tokenFailures.slice(0, 3).join('\n')}`);
  if (figures.errorBodies.length > 0)
    console.log(`first error bodies:\n${figures.errorBodies.slice(0, 3).join('\n')}`);
  process.exit(0);
}

await main();
