/**
 * OpenClaw's credential stores, as clawkeep reads and writes them. Field names follow OpenClaw's
 * own JSON (`access`, `refresh`, `expires` in epoch ms), never clawkeep's.
 */

/** Eras of OpenClaw's credential store (test/fixtures/openclaw/README.md). */
export type OpenClawEra =
  /** ≤ 2026.3: one `auth-profiles.json` holding profiles, order, lastGood, usageStats. */
  | 'json-single'
  /** 2026.4–2026.5: `auth-profiles.json` (profiles) + `auth-state.json` (order, lastGood, usageStats). */
  | 'json-split'
  /** 2026.6–2026.7: per-agent `openclaw-agent.sqlite`, tables `auth_profile_store` / `auth_profile_state`. */
  | 'agent-sqlite'
  /** ≥ 2026.8: shared `state/openclaw.sqlite`, table `config_machine_state`, keys `authProfiles.*`. */
  | 'shared-sqlite'
  /** No credential store at all. */
  | 'none';

/** Where a set of profiles lives. `primary` stores are the ones OpenClaw's runtime reads. */
export type StoreRef =
  | { kind: 'json'; path: string; agentId: string }
  | { kind: 'agent-sqlite'; path: string; agentId: string }
  | { kind: 'shared-sqlite'; path: string; agentId: string }
  /** Read-only sources: `auth.json` (provider → credential), `credentials/oauth.json`, `*.bak` archives. */
  | { kind: 'legacy'; format: LegacyFormat; path: string; agentId: string };

export type LegacyFormat =
  | 'auth-profiles'
  | 'auth-state'
  | 'auth-json'
  | 'oauth-json'
  | 'backup'
  /** `credentials/auth-profiles/<id>.json`, the tokens of a record holding an `oauthRef` (oauth-sidecar.ts). */
  | 'oauth-sidecar';

/** One OpenClaw credential, parsed; `raw` is the record exactly as stored (unknown fields kept). */
export interface OpenClawProfile {
  id: string;
  type: 'oauth' | 'api_key' | 'token' | 'unknown';
  provider: string;
  access: string | null;
  refresh: string | null;
  /** Epoch ms; null when absent. */
  expires: number | null;
  accountId: string | null;
  email: string | null;
  /** API key (`key`) or bearer (`token`) for non-OAuth profiles. */
  secret: string | null;
  raw: Record<string, unknown>;
}

/** A file clawkeep could not use, with a stable code; reported, never modified. */
export interface FileProblem {
  path: string;
  code: FileProblemCode;
  message: string;
}

export type FileProblemCode =
  | 'unreadable'
  | 'invalid_json'
  | 'wrong_shape'
  | 'not_sqlite'
  | 'sqlite_schema'
  | 'symlink_outside'
  | 'not_regular'
  /** An OAuth sidecar encrypted with a key OpenClaw would not have on this host either. */
  | 'sidecar_locked';

/** What a store read found: its profiles and the time its credential document last changed. */
export interface StoreContents {
  store: StoreRef;
  profiles: OpenClawProfile[];
  /** Row `updated_at` for SQLite stores, file mtime for JSON files (epoch ms). */
  updatedAt: number | null;
  /**
   * SQLite stores: the credential and state documents exactly as stored, read in the same open (the
   * doctor's rename check works on them); null when the store has no credential row. Absent for files.
   */
  documents?: { store: Record<string, unknown>; state: Record<string, unknown> | null } | null;
}

export type ReadResult = { ok: true; contents: StoreContents } | { ok: false; problem: FileProblem };

/** A lock file (`sessions/<id>.jsonl.lock` and the like). */
export interface LockFile {
  path: string;
  pid: number | null;
  createdAt: number | null;
  mtimeMs: number;
}

/** One agent of an OpenClaw state dir and every credential source around it. */
export interface ScannedAgent {
  id: string;
  /** `<state>/agents/<id>/agent`. */
  dir: string;
  era: OpenClawEra;
  /** The store OpenClaw's runtime reads for this agent; null when there is none yet. */
  primary: StoreRef | null;
  /** Everything else that holds (or held) this agent's credentials: leftover JSON, backups, `auth.json`. */
  legacy: StoreRef[];
  locks: LockFile[];
}

/** A scanned OpenClaw state dir. */
export interface ScannedHome {
  dir: string;
  agents: ScannedAgent[];
  /** `<state>/state/openclaw.sqlite` when it exists. */
  sharedDb: string | null;
  /** True when that DB holds the shared auth store (≥ 2026.8): the main agent's store. */
  sharedActive: boolean;
  /** `<state>/credentials/oauth.json` when it exists (read by OpenClaw for the main agent). */
  oauthJson: string | null;
  /** Paths scanned for permissions: directories (want 0700) and credential files (want 0600). */
  dirs: string[];
  credentialFiles: string[];
  /** Files and dirs that could not be used (symlinks out of the state dir, unreadable entries). */
  problems: FileProblem[];
}
