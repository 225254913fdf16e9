import { statSync } from 'node:fs';
import type { LinkedCopy, LinkedSources } from '../broker/linked.js';
import { ClawkeepError } from '../errors.js';
import type { LinkedSourceRef, Profile, Store } from '../store/types.js';
import { isWritable, sameAccount } from './account.js';
import type { LinkedAdapter } from './adapter.js';
import { claudeCredentials } from './claude-credentials.js';
import { codexAuthJson } from './codex-auth-json.js';
import { openclawAgent } from './openclaw-agent.js';
import { piAuth } from './pi-auth.js';

export { sameAccount } from './account.js';
export type { LinkedAdapter, SourceCopy, WriteOutcome } from './adapter.js';

const FENCE_PREFIX = 'openclaw-oauth-refresh-fence:';

const ADAPTERS = new Map<string, LinkedAdapter>(
  [codexAuthJson, claudeCredentials, piAuth, openclawAgent].map((a) => [a.kind, a]),
);

/** Registers another format (the OpenClaw agent-store adapter registers itself this way). */
export function registerLinkedAdapter(adapter: LinkedAdapter): void {
  ADAPTERS.set(adapter.kind, adapter);
}

export function getLinkedAdapter(kind: string): LinkedAdapter | undefined {
  return ADAPTERS.get(kind);
}

/** `codex-auth-json:/home/u/.codex/auth.json`: how events and adoptions name a source. */
export function describeSource(ref: Pick<LinkedSourceRef, 'kind' | 'location'>): string {
  return `${ref.kind}:${ref.location}`;
}

/**
 * The broker's linked sources, backed by the store's `linked_sources` refs and one adapter per kind.
 * A profile without refs costs one indexed read. Unreadable sources are skipped on read; on write
 * every source is tried and the failures are reported together (the broker logs them as events).
 */
export function createLinkedSources(store: Store): LinkedSources {
  return {
    async read(profile: Profile): Promise<LinkedCopy[]> {
      const refs = await store.listLinkedSources(profile.id);
      const copies: LinkedCopy[] = [];
      for (const ref of refs) {
        const adapter = ADAPTERS.get(ref.kind);
        if (!adapter) continue;
        let copy: Awaited<ReturnType<LinkedAdapter['read']>>;
        try {
          copy = await adapter.read(ref.location, profile);
        } catch {
          continue;
        }
        if (!copy || copy.provider !== profile.provider) continue;
        if (copy.access.startsWith(FENCE_PREFIX) || copy.refresh.startsWith(FENCE_PREFIX)) continue;
        // The other tool may have been logged in to another account since: never adopt that.
        if (sameAccount(copy, profile) === false) continue;
        copies.push({
          source: describeSource(ref),
          access: copy.access,
          refresh: copy.refresh,
          expires: copy.expires,
          issuedAt: copy.issuedAt,
          accountId: copy.accountId,
          email: copy.email,
          updatedAt: copy.updatedAt,
        });
      }
      return copies;
    },

    async writeBack(profile: Profile): Promise<string[]> {
      if (!isWritable(profile)) return [];
      const refs = await store.listLinkedSources(profile.id);
      const failures: string[] = [];
      const notices: string[] = [];
      for (const ref of refs) {
        const adapter = ADAPTERS.get(ref.kind);
        try {
          if (!adapter) throw new Error(`no adapter for linked source kind "${ref.kind}"`);
          const before = modeOf(ref.location);
          await adapter.write(ref.location, profile);
          const after = modeOf(ref.location);
          if (before !== null && after !== null && (before & 0o077) !== 0 && (after & 0o077) === 0) {
            notices.push(
              `tightened permissions of ${ref.location} from ${before.toString(8)} to ${after.toString(8)} (it holds tokens)`,
            );
          }
        } catch (err) {
          failures.push(`${describeSource(ref)}: ${(err as Error).message}`);
        }
      }
      if (failures.length > 0) {
        throw new ClawkeepError('source_invalid', `write-back failed for ${failures.join('; ')}`, {
          details: { profileId: profile.id, failed: failures.length, notices },
        });
      }
      return notices;
    },
  };
}

/** Permission bits of a plain file (a location that is not one, e.g. a database URL, gives null). */
function modeOf(location: string): number | null {
  try {
    return statSync(location).mode & 0o777;
  } catch {
    return null;
  }
}
