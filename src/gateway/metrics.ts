import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConnectionState } from './connection-cap.js';

/** The gateway's Prometheus metrics, in a registry of its own. */
export class GatewayMetrics {
  readonly registry = new Registry();
  #readConnections: () => Readonly<Record<ConnectionState, number>> = () => ({
    no_request: 0,
    serving: 0,
    keep_alive: 0,
  });
  readonly requests = new Counter({
    name: 'clawkeep_requests_total',
    help: 'Model requests by client, chain, final target and HTTP status',
    labelNames: ['client', 'chain', 'target', 'status'] as const,
    registers: [this.registry],
  });
  readonly fallbacks = new Counter({
    name: 'clawkeep_fallbacks_total',
    help: 'Fallbacks from one target to the next, by reason',
    labelNames: ['from', 'to', 'reason'] as const,
    registers: [this.registry],
  });
  readonly loginsLost = new Counter({
    name: 'clawkeep_logins_lost_total',
    help: 'Logins that left service (needs_reauth: revoked, invalidated, reused; or disabled), by provider and reason',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'clawkeep_request_duration_seconds',
    help: 'Time to the first byte sent to the client',
    labelNames: ['target'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'clawkeep_requests_in_flight',
    help: 'Model requests being served',
    registers: [this.registry],
  });
  readonly cooldowns = new Counter({
    name: 'clawkeep_cooldowns_total',
    help: 'Cooldowns started per provider/model and reason',
    labelNames: ['target', 'reason'] as const,
    registers: [this.registry],
  });
  readonly quotaUsed = new Gauge({
    name: 'clawkeep_quota_used_ratio',
    help: "Share (0-1) of each login's quota window used, as the upstream last reported it",
    labelNames: ['profile', 'window'] as const,
    registers: [this.registry],
  });
  readonly quotaAlerts = new Counter({
    name: 'clawkeep_quota_alerts_total',
    help: 'Quota windows crossing 80 %, 95 %, exhausted, or recovering, per login',
    labelNames: ['profile', 'window', 'kind'] as const,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'clawkeep_tokens_total',
    help: "Tokens by client, serving provider/model and direction (in, out), from the answers' usage",
    labelNames: ['client', 'model', 'direction'] as const,
    registers: [this.registry],
  });
  readonly internalErrors = new Counter({
    name: 'clawkeep_internal_errors_total',
    help: "Failures inside clawkeep (not a provider's): refreshes that broke, write threads that died",
    labelNames: ['stage', 'cause'] as const,
    registers: [this.registry],
  });
  readonly connections = new Gauge({
    name: 'clawkeep_connections',
    help: 'Client sockets open, by state: no_request (nothing complete sent yet), serving, keep_alive (between requests)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [state, n] of Object.entries(this.#readConnections())) this.connections.set({ state }, n);
    },
  });
  readonly connectionsMax = new Gauge({
    name: 'clawkeep_connections_max',
    help: 'Client sockets open at most: gateway.maxConnections, lowered to fit the descriptor limit',
    registers: [this.registry],
  });
  readonly connectionsShed = new Counter({
    name: 'clawkeep_connections_shed_total',
    help: 'Client sockets closed at the cap, by the state they were in (refused: every socket was serving)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly descriptorLimit = new Gauge({
    name: 'clawkeep_descriptor_limit',
    help: "The process's soft open-file limit (RLIMIT_NOFILE) the connection cap was sized from",
    registers: [this.registry],
  });

  /** Where `clawkeep_connections` reads its counts at each scrape. */
  readConnectionsFrom(read: () => Readonly<Record<ConnectionState, number>>): void {
    this.#readConnections = read;
  }
}
