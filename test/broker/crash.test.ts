import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type ReusePolicy, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { CLI, collect, FREEZE_HOOK, runCli, startNode } from '../helpers/processes.js';
import { ageProfile, integrityCheck, rawDb, readRow } from '../helpers/store-fixtures.js';

interface Stats {
  /** Refresh-grant requests of any outcome; `rotations` only the successful ones. */
  refreshes: { total: number };
  rotations: number;
  reuseHits: number;
  graceHits: number;
  tokenRequests: number;
}

describe('crash safety: kill -9 of the lease holder', () => {
  let emulator: Emulator;
  let home: string;
  let dir: string;

  async function setup(reuse: ReusePolicy) {
    emulator = await startEmulator({ reuse });
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-crash-'));
    home = join(dir, 'home');
    const minted = await mint(emulator, 'openai-codex', 'crash@example.test');
    const r = await runCli(home, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'c'], {
      input: JSON.stringify(minted),
    });
    expect(r.code).toBe(0);
    ageProfile(home, 'openai-codex:c');
    return minted;
  }

  const stats = async (): Promise<Stats> =>
    (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;

  /** Starts `clawkeep token` frozen at a broker event, waits until it is there, then kills it with SIGKILL. */
  async function killAt(event: string): Promise<number> {
    const mark = join(dir, `frozen-${event}`);
    const child = startNode(CLI, ['--home', home, 'token', 'openai-codex:c'], {
      nodeArgs: ['--import', FREEZE_HOOK],
      env: { ...emulator.env(), CLAWKEEP_TEST_FREEZE_AT: event, CLAWKEEP_TEST_FREEZE_MARK: mark },
    });
    const done = collect(child);
    for (let i = 0; i < 400 && !existsSync(mark); i++) await sleep(25);
    expect(existsSync(mark), `holder reached ${event}`).toBe(true);
    child.kill('SIGKILL');
    const r = await done;
    expect(r.signal).toBe('SIGKILL');
    return child.pid!;
  }

  const token = () => runCli(home, ['token', 'openai-codex:c'], { env: emulator.env() });

  beforeEach(() => {
    dir = '';
  });
  afterEach(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('killed before the request left: the next caller takes over the stale lease and rotates once', async () => {
    const minted = await setup({ kind: 'strict' });
    const pid = await killAt('refresh_request');
    expect(String(readRow(home, 'openai-codex:c')?.lease_owner)).toContain(`/${pid}/`);
    const r = await token();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).not.toBe(minted.access);
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, reuseHits: 0 });
    expect(readRow(home, 'openai-codex:c')).toMatchObject({ generation: 2, status: 'ok', lease_owner: null });
    const kinds = rawDb(home).prepare('SELECT kind FROM events ORDER BY seq').pluck().all();
    expect(kinds).toContain('lease_taken_over');
    expect(integrityCheck(home)).toBe('ok');
  });

  it('killed after the endpoint answered (strict): the live token died with it, so needs_reauth, and no loop', async () => {
    await setup({ kind: 'strict' });
    await killAt('refresh_response');
    const r = await token();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refresh_token_reused');
    expect(r.stderr).toContain(`clawkeep --home ${home} models auth login --provider openai-codex --name c`);
    const after = await stats();
    // The dead holder's rotation, then exactly one presentation of the spent token by the next caller.
    expect(after).toMatchObject({ rotations: 1, refreshes: { total: 2 }, reuseHits: 1 });
    for (let i = 0; i < 3; i++) expect((await token()).code).toBe(1);
    expect((await stats()).tokenRequests).toBe(after.tokenRequests);
    const list = await runCli(home, ['profiles', 'list', '--json']);
    expect(list.code).toBe(1);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: 'openai-codex:c', status: 'needs_reauth', statusReason: 'refresh_token_reused' },
    ]);
    expect(readRow(home, 'openai-codex:c')?.refresh).toBeTruthy();
    expect(integrityCheck(home)).toBe('ok');
  });

  it('killed after the endpoint answered (grace:30): the next caller recovers through the grace window', async () => {
    await setup({ kind: 'grace', seconds: 30 });
    await killAt('refresh_response');
    const r = await token();
    expect(r.code).toBe(0);
    expect(await stats()).toMatchObject({ reuseHits: 0, graceHits: 1 });
    expect(readRow(home, 'openai-codex:c')).toMatchObject({ status: 'ok', generation: 2 });
  });

  it('killed after committing: the next caller adopts the stored token without calling the endpoint', async () => {
    await setup({ kind: 'strict' });
    await killAt('rotated');
    const before = await stats();
    const r = await token();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(readRow(home, 'openai-codex:c')?.access);
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, tokenRequests: before.tokenRequests });
  });

  it('never steals the lease from a live owner: a waiter adopts the owner’s rotation', async () => {
    await setup({ kind: 'strict' });
    const mark = join(dir, 'slow-holder');
    const holder = collect(
      startNode(CLI, ['--home', home, 'token', 'openai-codex:c'], {
        nodeArgs: ['--import', FREEZE_HOOK],
        env: {
          ...emulator.env(),
          CLAWKEEP_TEST_FREEZE_AT: 'refresh_request',
          CLAWKEEP_TEST_FREEZE_MARK: mark,
          CLAWKEEP_TEST_FREEZE_MS: '1500',
        },
      }),
    );
    for (let i = 0; i < 400 && !existsSync(mark); i++) await sleep(25);
    const waiter = await token();
    const h = await holder;
    expect(h.code).toBe(0);
    expect(waiter.code).toBe(0);
    expect(waiter.stdout).toBe(h.stdout);
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, reuseHits: 0 });
  });
});
