import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { scanOpenClawHome, writeProfileTo } from '../../src/openclaw/index.js';
import { copyFixture } from './helpers.js';

// Every SQLite open costs a schema load (a third of a millisecond on 30 tables); on 1,000 agents the
// doctor's time was mostly opens of the same files. These count them, by path.
const opened = vi.hoisted(() => [] as string[]);
vi.mock('better-sqlite3', async (importOriginal) => {
  const actual = (await importOriginal()) as { default: new (...a: unknown[]) => object };
  class Counting extends actual.default {
    constructor(...args: unknown[]) {
      super(...args);
      opened.push(String(args[0]));
    }
  }
  return { default: Counting };
});

const opensOf = (path: string) => opened.filter((p) => p === path).length;
const dirs: string[] = [];
afterEach(() => {
  opened.length = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the doctor opens each OpenClaw SQLite store once per pass', () => {
  it('diagnosis reads each agent store once (the rename check works on the documents the read kept)', async () => {
    const state = copyFixture('split-2026.6');
    const home = mkdtempSync(join(tmpdir(), 'clawkeep-reads-once-'));
    dirs.push(state, home);
    const report = await runDoctor({ clawkeepHome: home, openclawHomes: [state] });
    expect(report.checks.filter((c) => c.status === 'crashed')).toEqual([]);
    for (const agent of ['main', 'work'])
      expect(opensOf(join(state, 'agents', agent, 'agent/openclaw-agent.sqlite')), agent).toBe(1);
  });

  it('a write reads its result back through the open it wrote with', () => {
    const state = copyFixture('split-2026.6');
    dirs.push(state);
    const agent = scanOpenClawHome(state).agents.find((a) => a.id === 'work')!;
    opened.length = 0;
    const out = writeProfileTo(
      agent.primary!,
      {
        id: 'openai:extra',
        type: 'oauth',
        provider: 'openai',
        access: 'fake-extra-access',
        refresh: 'fake-extra-refresh',
        expires: 1_790_864_000_000,
        accountId: null,
        email: null,
        secret: null,
        raw: {
          type: 'oauth',
          provider: 'openai',
          access: 'fake-extra-access',
          refresh: 'fake-extra-refresh',
          expires: 1_790_864_000_000,
        },
      },
      { now: 1_790_000_000_000 },
    );
    expect(out.kind).toBe('written');
    expect(opensOf(agent.primary!.path)).toBe(1);
  });
});
