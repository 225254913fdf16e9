import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'pino';
import type { WriteWorkerEvent } from '../store/worker/write-worker-store.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * Says so when the store's write thread died and was replaced: one error line in the log and a count
 * in `clawkeep_internal_errors_total{stage="store_worker"}`. Returns the unsubscribe function.
 */
export function reportStoreHealth(deps: { log: Logger; metrics: GatewayMetrics }): () => void {
  const onMessage = (message: unknown) => {
    const e = message as WriteWorkerEvent;
    if (e.kind !== 'write_worker_died') return;
    deps.metrics.internalErrors.inc({ stage: 'store_worker', cause: 'died' });
    deps.log.error(
      { cause: e.cause, failedWrites: e.failedWrites },
      "the store's write thread died; the writes it held failed (rotated tokens stay journaled and are retried) and a new thread takes the next write",
    );
  };
  subscribe('clawkeep:store', onMessage);
  return () => unsubscribe('clawkeep:store', onMessage);
}
