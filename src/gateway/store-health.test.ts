import { channel } from 'node:diagnostics_channel';
import { expect, it } from 'vitest';
import { memoryLogger } from '../../test/helpers/log-sink.js';
import { GatewayMetrics } from './metrics.js';
import { reportStoreHealth } from './store-health.js';

it('says so when the store write thread died: one error line and a count, until unsubscribed', async () => {
  const { log, lines } = memoryLogger();
  const metrics = new GatewayMetrics();
  const stop = reportStoreHealth({ log, metrics });
  const died = { kind: 'write_worker_died', exitCode: 1, cause: 'exit code 1', failedWrites: 2 };
  channel('clawkeep:store').publish(died);
  stop();
  channel('clawkeep:store').publish(died);
  expect(lines.map((l) => JSON.parse(l))).toMatchObject([
    { level: 50, cause: 'exit code 1', failedWrites: 2 },
  ]);
  expect((await metrics.internalErrors.get()).values).toEqual([
    { labels: { stage: 'store_worker', cause: 'died' }, value: 1 },
  ]);
});
