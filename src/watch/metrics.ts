import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { replaceFileAtomically } from '../util/files.js';
import type { PassOutcome } from './pass.js';

/** What one pass of a state dir came to, as a metric label. */
export type PassLabel = 'idle' | 'repaired' | 'announced' | 'busy' | 'reconciled' | 'settling' | 'failed';

/** `null`: the pass threw; `settling`: it waited for OpenClaw's files to settle after a version change. */
export function passLabel(o: PassOutcome | 'settling' | null): PassLabel {
  if (!o) return 'failed';
  if (o === 'settling') return o;
  if (o.kind === 'busy' || o.kind === 'reconciled') return o.kind;
  return o.fixed > 0 ? 'repaired' : o.announced > 0 ? 'announced' : 'idle';
}

/**
 * The guardian's Prometheus metrics, in a registry of its own (as the gateway's). Nothing is computed
 * between passes: an idle guardian's metrics cost nothing.
 */
export class WatchMetrics {
  readonly registry = new Registry();
  readonly passes = new Counter({
    name: 'clawkeep_watch_passes_total',
    help: 'Guardian passes per state dir and what they came to (idle, repaired, announced, busy, reconciled, settling, failed)',
    labelNames: ['home', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly passSeconds = new Histogram({
    name: 'clawkeep_watch_pass_duration_seconds',
    help: 'Time one guardian pass took (diagnosis, and the repairs under the doctor lock when any)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly lastPass = new Gauge({
    name: 'clawkeep_watch_last_pass_timestamp_seconds',
    help: 'When the last pass over a state dir ended (alert when it stops moving while OpenClaw runs)',
    labelNames: ['home'] as const,
    registers: [this.registry],
  });
  readonly repairs = new Counter({
    name: 'clawkeep_watch_repairs_total',
    help: 'Repairs the guardian made, by cause (split_store, legacy_provider_id, stale_lock, version_transition…)',
    labelNames: ['home', 'cause'] as const,
    registers: [this.registry],
  });
  readonly announcements = new Counter({
    name: 'clawkeep_watch_announcements_total',
    help: 'Things that need a person (re-auth), announced once per cause, by finding code',
    labelNames: ['home', 'code'] as const,
    registers: [this.registry],
  });
  readonly needsPerson = new Gauge({
    name: 'clawkeep_watch_needs_person',
    help: 'Causes announced as needing a person (this guardian and those sharing its clawkeep store)',
    registers: [this.registry],
  });
  readonly watchedDirs = new Gauge({
    name: 'clawkeep_watch_watched_dirs',
    help: 'Directories the guardian watches for file-system events',
    registers: [this.registry],
  });

  recordPass(
    home: string,
    outcome: PassOutcome | 'settling' | null,
    seconds: number,
    endedAtMs: number,
  ): void {
    this.passes.inc({ home, outcome: passLabel(outcome) });
    this.passSeconds.observe(seconds);
    this.lastPass.set({ home }, endedAtMs / 1000);
  }
}

/**
 * Serves `GET /metrics` (Prometheus text format) on a loopback port; anything else is 404. Port 0
 * picks a free one (the bound address is returned).
 */
export async function serveMetrics(
  metrics: WatchMetrics,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, url: `http://${host}:${a.port}/metrics` };
}

/**
 * node_exporter's textfile collector: the metrics written atomically (temp file + rename, 0644) to
 * `path` (which must end in `.prom`), at most once per `everyMs`, only after something was recorded.
 */
export class MetricsTextfile {
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    readonly metrics: WatchMetrics,
    readonly path: string,
    readonly onError: (err: Error) => void,
    readonly everyMs = 1000,
  ) {}

  /** Schedules a write (coalesced). */
  touch(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#writing = this.#writing.then(() => this.writeNow()).catch((err: Error) => this.onError(err));
    }, this.everyMs);
    this.#timer.unref?.();
  }

  async writeNow(): Promise<void> {
    const text = await this.metrics.registry.metrics();
    await replaceFileAtomically(this.path, text, 0o644);
  }

  /** Writes what is pending now (on stop). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    await this.#writing;
    await this.writeNow();
  }
}
