import type { ReadResult, ScannedAgent, ScannedHome, StoreRef } from '../openclaw/types.js';
import type { StoreInspection } from '../store/sqlite/inspect.js';
import type { Takeover } from './takeovers.js';

/** ✓ ok (informational), ! warn, ✗ error. */
export type Severity = 'ok' | 'warn' | 'error';

/**
 * One thing a check found. Carries identifiers and fingerprints only, never a token: a fix re-reads
 * the stores it names (under the doctor's lock) instead of trusting what diagnosis saw.
 */
export interface Finding {
  check: string;
  severity: Severity;
  /** Stable reason code users match on (`split_store`, `refresh_token_reused`…). */
  code: string;
  message: string;
  home?: string;
  agentId?: string;
  profileId?: string;
  path?: string;
  /** Every path the finding covers, when it folds several into one line (permissions). */
  paths?: string[];
  /** Token fingerprints by role (`store`, `fresher`, `access`, `refresh`…): sha256 prefix/length. */
  fingerprints?: Record<string, string>;
  /** The exact command to run next. */
  next?: string;
  /** What `--fix` would do; absent when the finding has no automatic repair. */
  fix?: string;
}

export type FixStatus = 'fixed' | 'unchanged' | 'skipped' | 'failed';

export interface FixResult {
  status: FixStatus;
  message: string;
}

/** A doctor check: a small object; the runner turns a throw into a `crashed` result. */
export interface Check {
  id: string;
  title: string;
  /** Its fix writes a store OpenClaw's running gateway has loaded: after a repair, it must restart. */
  writesOpenClawStore?: boolean;
  run(ctx: DoctorContext): Finding[] | Promise<Finding[]>;
  fix?(ctx: DoctorContext, finding: Finding): FixResult | Promise<FixResult>;
}

export interface CheckResult {
  id: string;
  title: string;
  status: 'ok' | 'findings' | 'crashed';
  findings: Finding[];
  error?: string;
}

/** An agent with every credential source around it already read. */
export interface AgentView {
  home: ScannedHome;
  agent: ScannedAgent;
  primary: { ref: StoreRef; result: ReadResult } | null;
  legacy: Array<{ ref: StoreRef; result: ReadResult }>;
}

export type ClawkeepStoreView =
  | { kind: 'absent'; home: string }
  | { kind: 'ok'; home: string; path: string; inspection: StoreInspection }
  | {
      kind: 'unreadable';
      home: string;
      path: string;
      message: string;
      /** `store_corrupt`, or the I/O condition (`store_readonly`, `store_full`…) that kept it from being read. */
      code: string;
      next: string;
    };

/** What every check sees. Reads are cached per diagnosis pass; `refresh()` drops the cache. */
export interface DoctorContext {
  now(): number;
  clawkeepHome: string;
  openclawHomes: string[];
  agentId?: string;
  /** The command prefix that reproduces this run's selection (`clawkeep --home X`). */
  command: string;
  scans(): ScannedHome[];
  agents(): AgentView[];
  clawkeepStore(): ClawkeepStoreView;
  /**
   * OpenClaw credentials clawkeep took over (`import openclaw --move`): not missing, reached via the
   * gateway. Null when clawkeep's store cannot be read (a PostgreSQL server down): unknown, so a
   * credential missing from OpenClaw's store is reported but never written back.
   */
  takeovers(): Takeover[] | null;
  /** One agent scanned and read now, bypassing the cache (what a fix works from). */
  freshAgent(home: string, agentId: string): AgentView | null;
  /** One state dir scanned now (this run's `--agent` selection), bypassing the cache. */
  freshScan(home: string): ScannedHome;
  refresh(): void;
}
