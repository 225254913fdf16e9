import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { LinkedSources } from '../broker/linked.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Store } from '../store/types.js';
import type { Cooldowns } from './cooldowns.js';

/** What an app served inside the gateway (the dashboard) gets from the gateway it runs in. */
export interface MountHost {
  store: Store;
  config: GatewayConfig;
  log: Logger;
  env: NodeJS.ProcessEnv;
  home?: string | undefined;
  linked?: LinkedSources | undefined;
  cooldowns: Cooldowns;
  /** The running gateway's own URL. */
  gatewayUrl(): string;
  /** A client key was revoked: the gateway refuses it from the next request on. */
  onClientRevoked(): void;
}

/** An app under one path prefix of the gateway (`/ui`), behind the gateway's host check. */
export interface Mount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends what the app keeps open (live streams) when the gateway stops. */
  close(): void;
}

/**
 * Builds a mount once the gateway exists. The composition root passes these in, so the gateway
 * never imports the apps it serves.
 */
export type MountFactory = (host: MountHost) => Mount;

/** The mount that serves `path`, if any. */
export function findMount(mounts: readonly Mount[], path: string): Mount | undefined {
  return mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
}
