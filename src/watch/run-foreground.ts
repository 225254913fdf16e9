import { ClawkeepError } from '../errors.js';
import { createLogger } from '../runtime/log.js';
import { openStore } from '../store/open-store.js';
import { untilStopSignal } from '../util/stop-signal.js';
import { Guardian } from './guardian.js';
import { MetricsTextfile, serveMetrics, WatchMetrics } from './metrics.js';

export interface WatchRunOptions {
  clawkeepHome: string;
  openclawHomes: string[];
  /** Installed openclaw packages whose version to watch (empty: the one on $PATH). */
  packageDirs: string[];
  webhook?: string;
  debounceMs: number;
  rescanMs: number;
  settleMs: number;
  logLevel: string;
  /** Serve `/metrics` on this loopback port (0: any free one); null: no server. */
  metricsPort: number | null;
  /** Write metrics for node_exporter's textfile collector here. */
  metricsFile?: string;
  /** How the user runs clawkeep, for the "run this" lines the guardian prints. */
  command: string;
  /** One line for the person at the terminal (stderr). */
  say: (line: string) => void;
}

/**
 * `clawkeep watch` in the foreground: the guardian over the state dirs, with its metrics server or
 * textfile, until SIGINT/SIGTERM; then the guardian finishes its pass, the textfile is flushed, and
 * the store closed.
 */
export async function runWatchForeground(o: WatchRunOptions): Promise<void> {
  const metrics = o.metricsPort !== null || o.metricsFile ? new WatchMetrics() : undefined;
  const log = createLogger(o.logLevel);
  const { store, fixes } = openStore({ home: o.clawkeepHome });
  for (const f of fixes)
    o.say(`notice: tightened permissions of ${f.path} from ${f.from.toString(8)} to ${f.to.toString(8)}`);
  const textfile =
    metrics && o.metricsFile
      ? new MetricsTextfile(metrics, o.metricsFile, (err) =>
          log.error({ path: o.metricsFile, err: err.message }, 'cannot write the metrics file'),
        )
      : null;
  const guardian = new Guardian({
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    store,
    log,
    ...(o.webhook ? { webhook: o.webhook } : {}),
    packageDirs: o.packageDirs,
    debounceMs: o.debounceMs,
    rescanMs: o.rescanMs,
    settleMs: o.settleMs,
    command: o.command,
    ...(metrics ? { metrics } : {}),
    ...(textfile ? { onPass: () => textfile.touch() } : {}),
  });
  let server: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  try {
    if (metrics && o.metricsPort !== null) {
      const port = o.metricsPort;
      server = await serveMetrics(metrics, port).catch((err: NodeJS.ErrnoException) => {
        throw new ClawkeepError(
          'usage',
          `--metrics-port ${port}: cannot listen on 127.0.0.1 (${err.code ?? err.message}); pick another port`,
        );
      });
      o.say(`clawkeep watch: metrics on ${server.url}`);
    }
    await guardian.start();
    o.say(
      `clawkeep watch: guarding ${o.openclawHomes.join(', ')} (${guardian.watchedDirs} dirs watched; Ctrl-C stops)`,
    );
    log.info({ homes: o.openclawHomes, pid: process.pid }, 'guardian started');
    const stop = untilStopSignal();
    try {
      await stop.signal;
      await guardian.stop();
      await textfile?.flush();
      log.info({}, 'guardian stopped');
    } finally {
      stop.done();
    }
  } finally {
    await new Promise((r) => (server ? server.server.close(r) : r(null)));
    await store.close();
  }
}
