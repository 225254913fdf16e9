import { sweepAllLeftovers } from '../clients/leftovers.js';
import { readEnv } from '../config/env.js';
import { dashboardMount } from '../dashboard/handler.js';
import { ClawkeepError } from '../errors.js';
import { startGateway } from '../gateway/server.js';
import { createLinkedSources } from '../linked/index.js';
import { explainListenError } from '../runtime/listen-error.js';
import { createLogger, type LogFormat } from '../runtime/log.js';
import { claimPidFile } from '../runtime/pidfile.js';
import type { PermissionFix } from '../store/home.js';
import { openStore } from '../store/open-store.js';
import { withWriteWorker } from '../store/worker/write-worker-store.js';
import { untilStopSignal } from '../util/stop-signal.js';
import { identityMount } from './identity-mount.js';
import { type ListenOverrides, resolveListenConfig } from './listen-config.js';

/** What `gateway run` tells the person who started it, as it happens. */
export interface ForegroundReport {
  permissionFixed(fix: PermissionFix): void;
  /** A temp file an interrupted write left (it may hold a credential), removed at start. */
  leftoverRemoved(path: string): void;
  listening(info: {
    url: string;
    home: string;
    configFile: string | null;
    profiles: number;
    clients: number;
  }): void;
  stopping(info: { signal: string; inFlight: number; graceMs: number }): void;
  stopped(): void;
}

/** `--log-format`, else CLAWKEEP_LOG_FORMAT, else pretty on a terminal and JSON elsewhere. */
export function chooseLogFormat(flag: string | undefined, isTTY: boolean): LogFormat {
  const chosen = flag ?? readEnv().CLAWKEEP_LOG_FORMAT;
  if (chosen === undefined) return isTTY ? 'pretty' : 'json';
  if (chosen !== 'json' && chosen !== 'pretty') {
    throw new ClawkeepError('usage', `--log-format ${chosen}: expected json or pretty`);
  }
  return chosen;
}

/**
 * `gateway run`: opens the store, claims the pid file, serves until SIGTERM or SIGINT, then lets
 * in-flight requests finish (the shutdown grace period), writes buffered events and releases all.
 */
export async function runGatewayForeground(
  o: { home: string; listen: ListenOverrides; logFormat: LogFormat },
  report: ForegroundReport,
): Promise<void> {
  const h = o.home;
  const { config, file } = resolveListenConfig(h, o.listen);
  const opened = openStore({ home: h });
  for (const f of opened.fixes) report.permissionFixed(f);
  // SQLite writes on a worker thread: another process holding the lock never freezes requests
  // (PostgreSQL's driver is asynchronous already).
  const store =
    opened.location.kind === 'sqlite' ? withWriteWorker(opened.store, opened.location.path) : opened.store;
  for (const path of await sweepAllLeftovers(h, store)) report.leftoverRemoved(path);
  const log = createLogger(config.gateway.logLevel, undefined, o.logFormat);
  const { host, port } = config.gateway;
  let release: (() => void) | null = null;
  try {
    release = claimPidFile(h, { pid: process.pid, url: `http://${host}:${port}`, startedAt: Date.now() });
    const gateway = await startGateway({
      store,
      config,
      log,
      linked: createLinkedSources(store),
      home: h,
      mounts: [dashboardMount(), identityMount()],
    }).catch(async (err: unknown) => {
      throw await explainListenError(err, { host, port, home: h });
    });
    if (gateway.url !== `http://${host}:${port}`) {
      release();
      release = claimPidFile(h, { pid: process.pid, url: gateway.url, startedAt: Date.now() });
    }
    report.listening({
      url: gateway.url,
      home: h,
      configFile: file,
      profiles: (await store.listProfiles()).length,
      clients: (await store.listClients()).length,
    });
    log.info({ url: gateway.url, config: file }, 'gateway listening');
    // A second Ctrl-C exits at once: the pid file goes with it, so no stale record is left behind.
    const stop = untilStopSignal(() => release?.());
    try {
      const signal = await stop.signal;
      const inFlight = (await gateway.metrics.inFlight.get()).values[0]?.value ?? 0;
      const grace = config.gateway.shutdownGraceMs;
      report.stopping({ signal: signal === 'SIGINT' ? 'Ctrl-C' : signal, inFlight, graceMs: grace });
      log.info({ graceMs: grace, inFlight }, 'gateway stopping');
      await gateway.close();
      report.stopped();
    } finally {
      stop.done();
    }
  } finally {
    release?.();
    await store.close();
  }
}
