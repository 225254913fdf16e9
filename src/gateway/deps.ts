import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { ModelAdapter } from './adapter.js';
import type { Cooldowns } from './cooldowns.js';
import type { EventBuffer } from './event-buffer.js';
import type { MetricLabels } from './labels.js';
import type { GatewayMetrics } from './metrics.js';
import type { ProfileDirectory } from './profile-directory.js';
import type { QuotaBook } from './quota/book.js';
import type { ProfilePicker } from './routing.js';
import type { UsageMeter } from './usage/usage-meter.js';

/** What the request path needs, built once by `startGateway`. */
export interface GatewayDeps {
  broker: Broker;
  store: Store;
  /** Request-path events, written in batches. */
  events: EventBuffer;
  config: GatewayConfig;
  cooldowns: Cooldowns;
  picker: ProfilePicker;
  profiles: ProfileDirectory;
  metrics: GatewayMetrics;
  /** Bounds the metric labels client input reaches. */
  labels: MetricLabels;
  log: Logger;
  /** Each login's last quota reading. */
  quotas: QuotaBook;
  /** Requests and tokens per client and model. */
  usage: UsageMeter;
  adapters: ReadonlyMap<string, ModelAdapter>;
  baseUrl(provider: string): string | null;
}
