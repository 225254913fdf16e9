import { ClawkeepError } from '../errors.js';
import { clawkeepProviderOf, openclawCopy, openclawLocation } from '../linked/openclaw-agent.js';
import {
  deadReason,
  locateOpenClawHomes,
  readProfilesFrom,
  type ScannedAgent,
  type StoreRef,
  scanOpenClawHome,
} from '../openclaw/index.js';
import type { ImportCopy, ImportSource } from './types.js';

/** `--openclaw-home` dirs, else `$OPENCLAW_STATE_DIR`, `~/.openclaw`, `~/.clawdbot` (those that exist). */
export function openclawHomes(explicit: string[] = []): string[] {
  const homes = locateOpenClawHomes({ explicit });
  if (homes.length === 0) {
    throw new ClawkeepError(
      'source_invalid',
      'no OpenClaw state dir found (~/.openclaw); pass --openclaw-home DIR',
      {
        details: {},
      },
    );
  }
  return homes;
}

/**
 * Every OpenClaw OAuth credential in the given state dirs, in every era: each agent's primary store
 * (what its runtime reads; linked) plus leftover JSON, `auth.json`, `credentials/oauth.json` and
 * OpenClaw's own `*.bak` archives (read only: they may hold the live token a split left behind).
 * An unreadable store or leftover fails the whole source, naming the file; a broken archive is noted.
 */
export function readOpenClawSource(homes: string[], now = Date.now()): ImportSource {
  const copies: ImportCopy[] = [];
  const notes: string[] = [];
  for (const dir of homes) {
    const scan = scanOpenClawHome(dir);
    for (const problem of scan.problems) notes.push(`${problem.path}: ${problem.message}`);
    if (scan.agents.length === 0) notes.push(`${dir}: no agents with credentials`);
    for (const agent of scan.agents) readAgent(agent, copies, notes, now);
  }
  if (copies.some((c) => c.link === null)) {
    notes.push(
      `copies outside the agents' stores (leftover JSON, archives) were read, never changed: \`clawkeep doctor --fix --openclaw-home DIR\` tidies them`,
    );
  }
  if (copies.length === 0) {
    throw new ClawkeepError(
      'source_invalid',
      `${homes.join(', ')}: no OpenAI Codex or Anthropic OAuth login found in any agent`,
      { details: { homes } },
    );
  }
  return {
    kind: 'openclaw',
    title: `OpenClaw (${homes.join(', ')})`,
    copies,
    notes,
    archive: async () => {
      throw new ClawkeepError('usage', 'import openclaw does not support --move');
    },
  };
}

function readAgent(agent: ScannedAgent, copies: ImportCopy[], notes: string[], now: number): void {
  const stores: StoreRef[] = [...(agent.primary ? [agent.primary] : []), ...agent.legacy];
  for (const store of stores) {
    const isBackup = store.kind === 'legacy' && store.format === 'backup';
    if (store.kind === 'legacy' && store.format === 'auth-state') continue;
    const r = readProfilesFrom(store);
    if (!r.ok) {
      if (isBackup) {
        notes.push(`${r.problem.path}: skipped (${r.problem.message})`);
        continue;
      }
      throw new ClawkeepError('source_invalid', `${r.problem.message}; nothing imported`, {
        details: { path: r.problem.path, problem: r.problem.code },
      });
    }
    const primary = store === agent.primary;
    for (const p of r.contents.profiles) {
      const where = `${store.path} ${p.id}`;
      if (p.type !== 'oauth') {
        if (primary)
          notes.push(`${where}: ${p.type} profile left in OpenClaw (clawkeep imports OAuth logins)`);
        continue;
      }
      if (!clawkeepProviderOf(p)) {
        if (primary) notes.push(`${where}: provider ${p.provider} is not one clawkeep holds`);
        continue;
      }
      const dead = deadReason(p, now);
      const copy = dead ? null : openclawCopy(p, r.contents.updatedAt, `${agent.id} ${p.id}`);
      if (!copy) {
        notes.push(`${where}: no usable tokens (${dead ?? 'no access token'}); not imported`);
        continue;
      }
      copies.push({
        ...copy,
        file: store.path,
        // Only the store the agent's runtime reads is kept in step; leftovers are read once.
        link: primary ? { kind: 'openclaw-agent', location: openclawLocation(agent.dir, p.id) } : null,
        suggestedName: p.id.slice(p.id.indexOf(':') + 1) || null,
      });
    }
  }
}
