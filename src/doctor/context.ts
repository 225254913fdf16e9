import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClawkeepError } from '../errors.js';
import { legacyOAuthRef, readOAuthSidecar, sidecarPath } from '../openclaw/oauth-sidecar.js';
import { scanOpenClawHome } from '../openclaw/scan.js';
import { readProfilesFrom } from '../openclaw/store-io.js';
import type { OpenClawProfile, ScannedAgent, ScannedHome } from '../openclaw/types.js';
import { TokenCodec } from '../store/crypto/token-codec.js';
import { toStoreIoError } from '../store/io-errors.js';
import { STORE_FILE } from '../store/open-store.js';
import { inspectSqliteStore } from '../store/sqlite/inspect.js';
import { readTakeovers, type Takeover } from './takeovers.js';
import type { AgentView, ClawkeepStoreView, DoctorContext } from './types.js';

export interface ContextOptions {
  clawkeepHome: string;
  openclawHomes: string[];
  agentId?: string;
  command: string;
  now?: () => number;
  /**
   * Read ahead from a store the synchronous checks cannot reach (PostgreSQL; null: it could not be
   * read); absent: read from the SQLite file.
   */
  takeovers?: Takeover[] | null;
}

export function createDoctorContext(o: ContextOptions): DoctorContext {
  let scans: ScannedHome[] | null = null;
  let agents: AgentView[] | null = null;
  let clawkeep: ClawkeepStoreView | null = null;
  let takeovers: Takeover[] | null | undefined;
  const ctx: DoctorContext = {
    now: o.now ?? Date.now,
    clawkeepHome: o.clawkeepHome,
    openclawHomes: o.openclawHomes,
    ...(o.agentId === undefined ? {} : { agentId: o.agentId }),
    command: o.command,
    scans() {
      scans ??= o.openclawHomes.map((d) =>
        scanOpenClawHome(d, o.agentId === undefined ? {} : { agentId: o.agentId }),
      );
      return scans;
    },
    agents() {
      agents ??= ctx.scans().flatMap((home) => home.agents.map((agent) => readAgent(home, agent)));
      return agents;
    },
    freshAgent(dir, agentId) {
      // The era of a home does not change while the doctor holds its lock: reuse what the scan found.
      const known = scans?.find((h) => h.dir === dir);
      const home = scanOpenClawHome(dir, { agentId, ...(known ? { sharedActive: known.sharedActive } : {}) });
      const agent = home.agents.find((a) => a.id === agentId);
      return agent ? readAgent(home, agent) : null;
    },
    freshScan(dir) {
      const known = scans?.find((h) => h.dir === dir);
      return scanOpenClawHome(dir, {
        ...(o.agentId === undefined ? {} : { agentId: o.agentId }),
        ...(known ? { sharedActive: known.sharedActive } : {}),
      });
    },
    clawkeepStore() {
      clawkeep ??= inspectClawkeep(o.clawkeepHome);
      return clawkeep;
    },
    takeovers() {
      if (takeovers === undefined)
        takeovers = o.takeovers !== undefined ? o.takeovers : readTakeovers(ctx.clawkeepStore());
      return takeovers;
    },
    refresh() {
      takeovers = undefined;
      scans = null;
      agents = null;
      clawkeep = null;
    },
  };
  return ctx;
}

function readAgent(home: ScannedHome, agent: ScannedAgent): AgentView {
  const primary = agent.primary ? { ref: agent.primary, result: readProfilesFrom(agent.primary) } : null;
  const legacy = agent.legacy.map((ref) => ({ ref, result: readProfilesFrom(ref) }));
  const records = [primary, ...legacy].flatMap((r) => (r?.result.ok ? r.result.contents.profiles : []));
  return { home, agent, primary, legacy: [...legacy, ...sidecarsOf(home.dir, agent.id, records)] };
}

/** The OAuth sidecars the store's records point to (`oauthRef`): copies of those profiles' tokens. */
function sidecarsOf(stateDir: string, agentId: string, profiles: OpenClawProfile[]) {
  const out: AgentView['legacy'] = [];
  for (const p of profiles) {
    const ref = legacyOAuthRef(p);
    if (!ref) continue;
    const path = sidecarPath(stateDir, ref);
    if (!existsSync(path) || out.some((o) => o.ref.path === path)) continue;
    const store = { kind: 'legacy' as const, format: 'oauth-sidecar' as const, path, agentId };
    out.push({ ref: store, result: readOAuthSidecar(store, p, stateDir) });
  }
  return out;
}

function inspectClawkeep(home: string): ClawkeepStoreView {
  const path = join(home, STORE_FILE);
  if (!existsSync(path)) return { kind: 'absent', home };
  try {
    // Encrypted tokens are opened with this home's key; without it the store is locked, not corrupt.
    return { kind: 'ok', home, path, inspection: inspectSqliteStore(path, new TokenCodec({ home })) };
  } catch (err) {
    const io = toStoreIoError(err, path, 'read');
    if (io instanceof ClawkeepError) {
      return {
        kind: 'unreadable',
        home,
        path,
        message: io.message,
        code: io.code,
        next: io.hint ?? String(io.details.fix),
      };
    }
    const readonly = readOnlyReason(home);
    if (readonly) {
      // A WAL store on a read-only file system cannot even be opened for reading (no -shm can be made).
      return {
        kind: 'unreadable',
        home,
        path,
        message: `${path} cannot be opened: ${readonly.message}`,
        code: readonly.code,
        next: String(readonly.details.fix),
      };
    }
    return {
      kind: 'unreadable',
      home,
      path,
      message: (err as Error).message,
      code: 'store_corrupt',
      next: `mv ${path} ${path}.broken   # then restore a backup or re-import`,
    };
  }
}

/** Why the home cannot be written (read-only file system, permissions), or null when it can. */
export function readOnlyReason(home: string): ClawkeepError | null {
  try {
    accessSync(home, constants.W_OK);
    return null;
  } catch (err) {
    const io = toStoreIoError(err, home, 'write to', home);
    return io instanceof ClawkeepError ? io : null;
  }
}
