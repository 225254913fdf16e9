import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { canonicalProfileId, compareFreshness } from '../../src/openclaw/profile.js';
import { scanOpenClawHome } from '../../src/openclaw/scan.js';
import { readProfilesFrom } from '../../src/openclaw/store-io.js';
import { runCli } from '../helpers/processes.js';
import { snapshot } from './helpers.js';
import { agentDir, fakeJwt, type Record_, writeAgentSqlite, writeJsonStore } from './state-builder.js';

const T = 1_790_000_000;
const root = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One copy of a profile: its generation decides its freshness (JWT iat) and names its refresh token. */
const copyArb = fc.record({ gen: fc.integer({ min: 1, max: 6 }), fence: fc.boolean() });
const profileArb = fc.record({
  name: fc.constantFrom('default', 'work', 'alt'),
  provider: fc.constantFrom('openai-codex', 'anthropic'),
  store: fc.option(copyArb, { nil: undefined }),
  leftover: fc.option(copyArb, { nil: undefined }),
  backup: fc.option(copyArb, { nil: undefined }),
});
const agentArb = fc.record({
  era: fc.constantFrom('json-single', 'json-split', 'agent-sqlite'),
  profiles: fc.array(profileArb, { maxLength: 3 }),
  garbage: fc.constantFrom('none', 'truncated-bak', 'binary-lock', 'stale-lock'),
  account: fc.constantFrom('acct-a', 'acct-b', 'acct-c'),
});
const stateArb = fc.array(agentArb, { minLength: 1, maxLength: 4 });

type Agent = fc.Arbitrary<unknown> extends never ? never : Parameters<Parameters<typeof agentArb.map>[0]>[0];

function record(provider: string, account: string, c: { gen: number; fence: boolean }, id: string): Record_ {
  return {
    type: 'oauth',
    provider,
    access: fakeJwt(T + c.gen * 3600, T + c.gen * 3600 + 864000),
    refresh: c.fence
      ? `openclaw-oauth-refresh-fence:v1:${id}:${c.gen}`
      : `fake-refresh-${id}-${account}-g${c.gen}`,
    expires: (T + c.gen * 3600 + 864000) * 1000,
    accountId: account,
  };
}

function build(dir: string, agents: Agent[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  agents.forEach((a, i) => {
    const id = `agent${i}`;
    const d = agentDir(dir, id);
    const store: Record<string, Record_> = {};
    const leftover: Record<string, Record_> = {};
    const backup: Record<string, Record_> = {};
    for (const p of a.profiles) {
      const pid = `${p.provider}:${p.name}`;
      if (p.store) store[pid] = record(p.provider, a.account, p.store, pid);
      if (p.leftover) leftover[pid] = record(p.provider, a.account, p.leftover, pid);
      if (p.backup) backup[pid] = record(p.provider, a.account, p.backup, pid);
    }
    if (a.era === 'agent-sqlite') {
      writeAgentSqlite(join(d, 'openclaw-agent.sqlite'), id, store);
      if (Object.keys(leftover).length > 0) writeJsonStore(join(d, 'auth-profiles.json'), leftover);
    } else {
      writeJsonStore(join(d, 'auth-profiles.json'), { ...leftover, ...store });
      if (a.era === 'json-split')
        writeFileSync(join(d, 'auth-state.json'), '{"version":1}\n', { mode: 0o600 });
    }
    if (Object.keys(backup).length > 0)
      writeJsonStore(join(d, 'auth-profiles.json.sqlite-import.1700000000000.bak'), backup);
    if (a.garbage === 'truncated-bak')
      writeFileSync(join(d, 'auth.json.broken.bak'), '{"openai": {"acc', { mode: 0o600 });
    if (a.garbage === 'binary-lock') writeFileSync(join(d, 'x.lock'), Buffer.from([0, 1, 2, 255]));
    if (a.garbage === 'stale-lock') {
      mkdirSync(join(dir, 'agents', id, 'sessions'), { recursive: true });
      writeFileSync(
        join(dir, 'agents', id, 'sessions', 's1.jsonl.lock'),
        JSON.stringify({ pid: 999999, createdAt: 1 }),
      );
    }
  });
}

/** Every refresh token held anywhere in the state dir that is not a fence marker (archives included). */
function liveTokens(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.includes('.json') || n.endsWith('.sqlite')) {
        // SQLite through its rows (free pages may still hold overwritten text), files as text.
        const text = n.endsWith('.sqlite') ? sqliteRows(p) : readFileSync(p, 'utf8');
        for (const m of text.matchAll(/fake-refresh-[A-Za-z0-9:_-]+?-g\d/g)) out.add(m[0]);
      }
    }
  };
  walk(dir);
  return out;
}

function sqliteRows(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return JSON.stringify(db.prepare('SELECT store_json FROM auth_profile_store').all());
  } finally {
    db.close();
  }
}

async function fix(dir: string) {
  return runDoctor({ clawkeepHome: join(dir, '.clawkeep-home'), openclawHomes: [dir], fix: true });
}

describe('doctor --fix properties over random mixtures of eras, splits, duplicates and garbage', () => {
  it('never loses a live token, leaves the freshest copy where OpenClaw reads, and is idempotent', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(stateArb, async (agents) => {
        const dir = join(root, `p${n++}`);
        build(dir, agents);
        const before = liveTokens(dir);
        const first = await fix(dir);
        expect(first.exitCode).not.toBe(2);
        for (const t of before) expect(liveTokens(dir).has(t), `lost ${t}`).toBe(true);

        for (const agent of scanOpenClawHome(dir).agents) {
          const primary = agent.primary ? readProfilesFrom(agent.primary) : null;
          if (!primary?.ok) continue;
          for (const ref of agent.legacy) {
            const legacy = readProfilesFrom(ref);
            if (!legacy.ok) continue;
            for (const p of legacy.contents.profiles) {
              if (p.refresh?.startsWith('openclaw-oauth-refresh-fence')) continue;
              const held = primary.contents.profiles.find(
                (q) => canonicalProfileId(q.id) === canonicalProfileId(p.id),
              );
              expect(held, `${p.id} of ${ref.path} missing from the store`).toBeDefined();
              const heldCopy = { profile: held!, updatedAt: null };
              expect(compareFreshness(heldCopy, { profile: p, updatedAt: null })).toBeGreaterThanOrEqual(0);
            }
          }
        }
        const after = snapshot(dir);
        const second = await fix(dir);
        expect(second.fixes?.filter((f) => f.result.status === 'fixed').map((f) => f.result.message)).toEqual(
          [],
        );
        expect(snapshot(dir)).toEqual(after);
      }),
      { numRuns: 100 },
    );
  });

  it('ten concurrent --fix processes end in the same state as one', async () => {
    const agents = fc.sample(stateArb, { numRuns: 1, seed: 42 })[0]!;
    const template = join(root, 'concurrent-template');
    build(template, [
      ...agents,
      {
        era: 'agent-sqlite',
        account: 'acct-c',
        garbage: 'stale-lock',
        profiles: [
          {
            name: 'default',
            provider: 'openai-codex',
            store: { gen: 1, fence: false },
            leftover: { gen: 2, fence: false },
            backup: undefined,
          },
        ],
      },
    ]);
    const single = join(root, 'concurrent-single');
    const many = join(root, 'concurrent-many');
    cpSync(template, single, { recursive: true });
    cpSync(template, many, { recursive: true });
    const one = await runCli(join(single, '.clawkeep-home'), ['doctor', '--openclaw-home', single, '--fix']);
    expect(one.code).not.toBe(2);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runCli(join(many, '.clawkeep-home'), ['doctor', '--openclaw-home', many, '--fix']),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(one.code);
    expect(runs.filter((r) => /✓ openai-codex:default \[split_store\] wrote/.test(r.stdout)).length).toBe(1);
    expect(snapshot(many)).toEqual(snapshot(single));
  });
});
