import type { FaultCounters } from './faults.js';
import type { LedgerCounters } from './ledger.js';
import type { AccessRejection, EmulatorState } from './state.js';

/**
 * Counters of one emulator run (`GET /_emulator/stats`, `emulator.stats()`).
 * `refreshes` counts every refresh-grant request that reached the ledger, whatever its outcome;
 * `rotations` only those that consumed a token and issued the next, so `refreshes.total - rotations`
 * is the refreshes that were wasted (reused, grace, revoked or unknown tokens).
 */
export interface EmulatorStats extends LedgerCounters {
  /** Model requests answered successfully. */
  modelCalls: { total: number; byProvider: Record<string, number> };
  faultsInjected: FaultCounters;
  /** Requests to the token endpoints, including faulted ones. */
  tokenRequests: number;
  /** OAuth access tokens the model endpoints refused (expired, revoked, invalid). */
  accessRejected: Record<AccessRejection, number>;
}

export function collectStats(state: EmulatorState): EmulatorStats {
  const byProvider = Object.fromEntries(state.counters.modelCalls);
  return {
    ...state.ledger.counters(),
    modelCalls: { total: Object.values(byProvider).reduce((a, b) => a + b, 0), byProvider },
    faultsInjected: state.faults.injected(),
    tokenRequests: state.counters.tokenRequests,
    accessRejected: { ...state.counters.accessRejected },
  };
}
