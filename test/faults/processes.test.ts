import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { openStore } from '../../src/store/open-store.js';
import { CLI, collect, FREEZE_HOOK, ROOT, runCli, startNode } from '../helpers/processes.js';
import { ageStored, brokerFor, emulatorStats, PROFILE, pendingFiles, seedHome } from './harness.js';

const HOLDER = `${ROOT}test/faults/lock-holder.mjs`;

/** Starts a process holding the store's write lock for `ms`; resolves once it holds it. */
async function holdLock(home: string, ms: number): Promise<{ child: ChildProcess; done: Promise<unknown> }> {
  const child = startNode(HOLDER, [join(home, 'clawkeep.sqlite'), String(ms)]);
  const done = collect(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    child.on('exit', () => reject(new Error('lock holder exited before locking')));
  });
  return { child, done };
}

describe('real processes: a held store lock and kill -9 at each step lose no rotated token', () => {
  let emulator: Emulator;
  let dir: string;
  let home: string;

  beforeEach(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-procs-'));
    home = join(dir, 'home');
    await seedHome(emulator, home, 'procs@example.test');
  });
  afterEach(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `clawkeep token`, frozen at a broker event (for `freezeMs`, default: until killed). */
  function tokenFrozenAt(event: string, freezeMs?: number, pause?: { at: string; mark: string; ms: number }) {
    const mark = join(dir, `frozen-${event}`);
    const child = startNode(CLI, ['--home', home, 'token', PROFILE], {
      nodeArgs: ['--import', FREEZE_HOOK],
      env: {
        ...emulator.env(),
        CLAWKEEP_TEST_FREEZE_AT: event,
        CLAWKEEP_TEST_FREEZE_MARK: mark,
        ...(freezeMs === undefined ? {} : { CLAWKEEP_TEST_FREEZE_MS: String(freezeMs) }),
        ...(pause
          ? {
              CLAWKEEP_TEST_PAUSE_AT: pause.at,
              CLAWKEEP_TEST_PAUSE_MARK: pause.mark,
              CLAWKEEP_TEST_PAUSE_MS: String(pause.ms),
            }
          : {}),
      },
    });
    const done = collect(child);
    const reached = (async () => {
      for (let i = 0; i < 600 && !existsSync(mark); i++) await sleep(25);
      return existsSync(mark);
    })();
    return { child, done, reached };
  }

  const token = () => runCli(home, ['token', PROFILE], { env: emulator.env() });

  /** The profile works for the next broker and for one more rotation after it, with no reuse. */
  async function expectUsable(expected?: string) {
    for (let round = 0; round < 2; round++) {
      if (round === 1) await ageStored(home);
      const { store } = openStore({ home });
      const broker = brokerFor(store, emulator);
      try {
        const t = await broker.getAccessToken(PROFILE);
        if (round === 0 && expected !== undefined) expect(t === expected).toBe(true);
        expect((await store.getProfile(PROFILE))?.status).toBe('ok');
      } finally {
        broker.close();
        await store.close();
      }
      expect(pendingFiles(home).filter((f) => f.endsWith('.json'))).toEqual([]);
      expect((await emulatorStats(emulator)).reuseHits).toBe(0);
    }
  }

  it('a store lock held 15 s by another process across the commit: the new token is served and adopted next', async () => {
    // The holder takes the lock after the provider answered and before the commit.
    const t = tokenFrozenAt('refresh_response', 1500);
    expect(await t.reached).toBe(true);
    const holder = await holdLock(home, 15_000);
    const r = await t.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const served = r.stdout.trim();
    expect(await emulatorStats(emulator)).toMatchObject({ rotations: 1, reuseHits: 0 });
    expect(pendingFiles(home).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    // While the lock is still held, another process serves the journaled token without presenting.
    const during = await token();
    expect(during.code, during.stderr).toBe(0);
    expect(during.stdout.trim() === served).toBe(true);
    expect((await emulatorStats(emulator)).tokenRequests).toBe(1);
    await holder.done;
    // The journaled rotation is committed by whoever comes next (here, or `during` if the lock went first).
    await expectUsable(served);
    expect((await emulatorStats(emulator)).rotations).toBe(2);
  });

  it.each([
    ['refresh_request', 'before the request left'],
    ['refresh_response', 'after the provider answered, before the commit'],
    ['rotated', 'after the commit'],
  ])('kill -9 at %s (%s): the next process finds the live token', async (step) => {
    const t = tokenFrozenAt(step);
    expect(await t.reached).toBe(true);
    t.child.kill('SIGKILL');
    expect((await t.done).signal).toBe('SIGKILL');
    await expectUsable();
  });

  it('kill -9 while a failed commit is held: the journal outlives the process', async () => {
    const paused = join(dir, 'paused');
    const t = tokenFrozenAt('commit_held', undefined, { at: 'refresh_response', mark: paused, ms: 1000 });
    for (let i = 0; i < 400 && !existsSync(paused); i++) await sleep(25);
    const holder = await holdLock(home, 7_000);
    expect(await t.reached).toBe(true);
    t.child.kill('SIGKILL');
    expect((await t.done).signal).toBe('SIGKILL');
    expect(pendingFiles(home).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    await holder.done;
    await expectUsable();
    expect(await emulatorStats(emulator)).toMatchObject({ rotations: 2, reuseHits: 0 });
  });
});
