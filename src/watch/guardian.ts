import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { codexAuthFiles } from '../doctor/checks/fence-recovery.js';
import { CHECKS } from '../doctor/checks/index.js';
import { createDoctorContext } from '../doctor/context.js';
import { DOCTOR_LOCK, withDoctorLock } from '../doctor/lock.js';
import { applyFixes, runDiagnosis } from '../doctor/runner.js';
import { takeoversAhead } from '../doctor/takeovers.js';
import type { Check, Finding } from '../doctor/types.js';
import { fenceGraceMs } from '../openclaw/fence.js';
import { heldOpenClawLocks, runningMigration } from '../openclaw/locks.js';
import type { Store } from '../store/types.js';
import { DirWatcher } from './dir-watcher.js';
import { causeOf, WatchJournal } from './journal.js';
import { readMarker, WATCH_MARKER, writeMarker } from './marker.js';
import type { WatchMetrics } from './metrics.js';
import { type PassOutcome, runPass, WATCH_CHECKS } from './pass.js';
import { describeVersion, readVersionState, versionKey } from './version-state.js';

export interface GuardianOptions {
  clawkeepHome: string;
  openclawHomes: string[];
  /** Where the event journal goes (the clawkeep store); null: log only. */
  store: Store | null;
  log: Logger;
  webhook?: string;
  /** OpenClaw package dirs whose `package.json` version is watched (default: `openclaw` on $PATH). */
  packageDirs?: string[];
  /** Quiet time after a file event before a pass (coalesces a burst of writes). */
  debounceMs?: number;
  /** Safety-net rescan: new dirs, missed events, locks gone stale by time or by a dead pid. */
  rescanMs?: number;
  /** After a version transition: how long the files must stay quiet before the reconcile runs. */
  settleMs?: number;
  /** While OpenClaw holds a lock or runs a migration: how often to look again. */
  busyRetryMs?: number;
  command?: string;
  checks?: readonly Check[];
  now?: () => number;
  /** Called after every pass (tests and the bench measure with it). */
  onPass?: (home: string, outcome: PassOutcome) => void;
  /** Prometheus metrics of the passes, repairs and announcements (metrics.ts). */
  metrics?: WatchMetrics;
}

interface HomeState {
  dir: string;
  dirty: Set<string>;
  timer: NodeJS.Timeout | null;
  dueAt: number;
  running: boolean;
  lastEventAt: number;
  version: string;
  /** What the running pass came to (metrics); `settling` while it waits for files after a version change. */
  outcome: PassOutcome | 'settling' | null;
}

const ALL = '*';
const IGNORED = new Set([DOCTOR_LOCK, WATCH_MARKER]);

/**
 * The guardian beside a live OpenClaw: watches each state dir and, under the doctor's lock, runs the
 * doctor's checks and fixes for what changed; reconciles once per OpenClaw version transition after
 * OpenClaw's own migration has settled; never writes while OpenClaw holds one of its locks.
 */
export class Guardian {
  #o: Required<Omit<GuardianOptions, 'webhook' | 'onPass' | 'store' | 'metrics'>> & GuardianOptions;
  #homes = new Map<string, HomeState>();
  #watcher: DirWatcher;
  #journal: WatchJournal;
  #rescan: NodeJS.Timeout | null = null;
  #firstSeen = new Map<string, number>();
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(o: GuardianOptions) {
    this.#o = {
      packageDirs: [],
      debounceMs: 50,
      rescanMs: 30_000,
      settleMs: 1500,
      busyRetryMs: 250,
      command: 'clawkeep',
      checks: WATCH_CHECKS,
      now: Date.now,
      ...o,
    };
    this.#watcher = new DirWatcher((dir, name) => this.#onFsEvent(dir, name));
    this.#journal = new WatchJournal({
      store: o.store,
      log: o.log,
      ...(o.webhook ? { webhook: o.webhook } : {}),
      ...(o.metrics ? { metrics: o.metrics } : {}),
    });
  }

  /** Starts watching; the first pass of every state dir runs at once (a full reconcile on first use). */
  async start(): Promise<void> {
    await this.#journal.catchUp();
    for (const dir of this.#o.openclawHomes) {
      const version = versionKey(readVersionState(dir, this.#o.packageDirs));
      this.#homes.set(dir, {
        dir,
        dirty: new Set([ALL]),
        timer: null,
        dueAt: 0,
        running: false,
        lastEventAt: 0,
        version,
        outcome: null,
      });
    }
    this.#syncWatchers();
    for (const h of this.#homes.values()) this.#schedule(h, 0);
    this.#rescan = setInterval(() => this.#rescanAll(), this.#o.rescanMs);
    this.#rescan.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#rescan) clearInterval(this.#rescan);
    this.#watcher.close();
    for (const h of this.#homes.values()) if (h.timer) clearTimeout(h.timer);
    await this.whenIdle();
  }

  /** Resolves when no pass is running (a pass is never cut in half by `stop`). */
  whenIdle(): Promise<void> {
    if (![...this.#homes.values()].some((h) => h.running)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  get watchedDirs(): number {
    return this.#watcher.size;
  }

  #rescanAll(): void {
    this.#syncWatchers();
    for (const h of this.#homes.values()) {
      h.dirty.add(ALL);
      this.#schedule(h, 0);
    }
  }

  #syncWatchers(): void {
    const dirs: string[] = [];
    for (const home of this.#homes.keys()) dirs.push(...dirsToWatch(home));
    // Linked tools' logins (Codex CLI) are recovery sources for abandoned refresh fences.
    for (const f of codexAuthFiles()) if (existsSync(dirname(f))) dirs.push(dirname(f));
    this.#watcher.sync(dirs);
    this.#o.metrics?.watchedDirs.set(this.#watcher.size);
  }

  #onFsEvent(dir: string, name: string | null): void {
    if (name && IGNORED.has(name)) return;
    const home = [...this.#homes.values()].find((h) => dir === h.dir || dir.startsWith(h.dir + sep));
    if (!home) {
      // A linked tool's login changed: every state dir may have a fence it can recover.
      for (const h of this.#homes.values()) {
        h.dirty.add(ALL);
        this.#schedule(h, this.#o.debounceMs);
      }
      return;
    }
    home.lastEventAt = this.#o.now();
    const rel = relative(home.dir, dir).split(sep);
    // agents/<id>/… belongs to one agent; anything else (state/, credentials/, locks/, new agents) to all.
    const agent = rel[0] === 'agents' && rel[1] ? rel[1] : ALL;
    // A new agent (or its agent/ or sessions/ dir) appeared: watch it from now on.
    if (dir === home.dir || (rel[0] === 'agents' && rel.length <= 2)) this.#syncWatchers();
    home.dirty.add(agent);
    this.#schedule(home, this.#o.debounceMs);
  }

  /** Runs a pass after `delayMs`, or sooner if one is already due sooner (a new event never waits for a late recheck). */
  #schedule(h: HomeState, delayMs: number): void {
    if (this.#stopped || h.running) return;
    const due = Date.now() + delayMs;
    if (h.timer) {
      if (h.dueAt <= due) return;
      clearTimeout(h.timer);
    }
    h.dueAt = due;
    h.timer = setTimeout(() => {
      h.timer = null;
      void this.#run(h);
    }, delayMs);
  }

  async #run(h: HomeState): Promise<void> {
    if (this.#stopped || h.running) return;
    h.running = true;
    const agents = h.dirty.has(ALL) ? null : [...h.dirty];
    h.dirty.clear();
    let retryIn: number | null = null;
    const t0 = performance.now();
    h.outcome = 'settling';
    try {
      retryIn = await this.#pass(h, agents);
    } catch (err) {
      this.#o.log.error({ home: h.dir, err: (err as Error).message }, 'guardian pass failed; retrying');
      retryIn = this.#o.busyRetryMs * 4;
      h.outcome = null;
    } finally {
      h.running = false;
      this.#o.metrics?.recordPass(h.dir, h.outcome, (performance.now() - t0) / 1000, Date.now());
    }
    // Events that arrived during the pass get their own pass soon; a retry or recheck keeps its time.
    if (h.dirty.size > 0) this.#schedule(h, this.#o.debounceMs);
    if (retryIn !== null && !this.#stopped) {
      for (const a of agents ?? [ALL]) h.dirty.add(a);
      this.#schedule(h, retryIn);
    }
    if (![...this.#homes.values()].some((x) => x.running)) for (const f of this.#idle.splice(0)) f();
  }

  /** One pass over a state dir; returns a delay to try again after (OpenClaw busy), or null. */
  async #pass(h: HomeState, agents: string[] | null): Promise<number | null> {
    const now = this.#o.now();
    const busy = heldOpenClawLocks(h.dir, now)[0]?.path ?? runningMigration(h.dir, now);
    if (busy) {
      this.#passed(h, { kind: 'busy', reason: busy });
      return this.#o.busyRetryMs;
    }
    const version = readVersionState(h.dir, this.#o.packageDirs);
    const key = versionKey(version);
    if (key !== h.version) {
      h.version = key;
      this.#o.log.info({ home: h.dir, version: describeVersion(version) }, 'OpenClaw version state changed');
    }
    if (readMarker(h.dir)?.versionKey !== key) {
      // A transition (or first use): reconcile the whole dir once OpenClaw's files have settled.
      const quietFor = now - h.lastEventAt;
      if (quietFor < this.#o.settleMs) return this.#o.settleMs - quietFor;
      return this.#reconcile(h, key, describeVersion(version));
    }
    const outcome = await runPass(this.#passDeps(h), agents);
    this.#passed(h, outcome);
    if (outcome.kind === 'busy') return this.#o.busyRetryMs;
    return outcome.kind === 'pass' ? outcome.recheckInMs : null;
  }

  async #reconcile(h: HomeState, key: string, version: string): Promise<number | null> {
    const o = this.#o;
    return withDoctorLock([h.dir, o.clawkeepHome], async () => {
      const now = o.now();
      const before = readMarker(h.dir);
      if (before?.versionKey === key) {
        // Another guardian reconciled this version: a normal pass next.
        this.#passed(h, { kind: 'pass', fixed: 0, announced: 0, recheckInMs: null });
        return 0;
      }
      const busy = heldOpenClawLocks(h.dir, now)[0]?.path ?? runningMigration(h.dir, now);
      if (busy) {
        this.#passed(h, { kind: 'busy', reason: busy });
        return o.busyRetryMs;
      }
      const takeovers = await takeoversAhead(o.clawkeepHome, o.store);
      const ctx = createDoctorContext({
        clawkeepHome: o.clawkeepHome,
        openclawHomes: [h.dir],
        command: o.command,
        now: o.now,
        ...(takeovers !== undefined ? { takeovers } : {}),
      });
      const fixes = await applyFixes(CHECKS, ctx, await runDiagnosis(CHECKS, ctx));
      const fixed = fixes.filter((f) => f.result.status === 'fixed');
      writeMarker(h.dir, { versionKey: key, version, reconciledAt: now });
      await this.#journal.record(
        {
          kind: 'repaired',
          cause: before ? 'version_transition' : 'first_watch',
          home: h.dir,
          message: before
            ? `OpenClaw version transition reconciled (${before.version} → ${version}): ${fixed.length} repair(s)`
            : `first guardian pass over this state dir: ${fixed.length} repair(s)`,
          extra: { from: before?.version ?? null, to: version, repairs: fixed.map((f) => f.result.message) },
        },
        now,
      );
      this.#passed(h, { kind: 'reconciled', repairs: fixed.length, transition: Boolean(before) });
      return 0;
    });
  }

  #passed(h: HomeState, outcome: PassOutcome): void {
    h.outcome = outcome;
    this.#o.onPass?.(h.dir, outcome);
  }

  #passDeps(h: HomeState) {
    return {
      home: h.dir,
      clawkeepHome: this.#o.clawkeepHome,
      checks: this.#o.checks,
      command: this.#o.command,
      now: this.#o.now,
      journal: this.#journal,
      fenceGraceMs: fenceGraceMs(),
      firstSeen: this.#firstSeen,
      isOpenClawBusy: () => {
        const now = this.#o.now();
        return heldOpenClawLocks(h.dir, now)[0]?.path ?? runningMigration(h.dir, now);
      },
      announceable: (f: Finding) => !this.#journal.isAnnounced(causeOf(f)),
      takeovers: () => takeoversAhead(this.#o.clawkeepHome, this.#o.store),
    };
  }
}

/** The dirs whose entries hold credentials, locks or agents (watched one by one, non-recursively). */
export function dirsToWatch(home: string): string[] {
  const out = [home];
  for (const d of ['state', 'credentials', 'locks', join('locks', 'oauth-refresh'), 'agents'])
    if (existsSync(join(home, d))) out.push(join(home, d));
  let agents: string[] = [];
  try {
    agents = readdirSync(join(home, 'agents'));
  } catch {
    // No agents yet: the state dir itself is watched for agents/ to appear.
  }
  for (const a of agents) {
    for (const sub of ['', 'agent', 'sessions']) {
      const d = join(home, 'agents', a, sub);
      if (existsSync(d)) out.push(d);
    }
  }
  return out;
}
