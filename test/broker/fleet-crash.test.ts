import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { agePgProfile, pgEventKinds, readPgRow } from '../helpers/pg-fixtures.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { CLI, collect, FREEZE_HOOK, runCli, startNode } from '../helpers/processes.js';

const LEASE_TTL_MS = 4000;
const ID = 'openai-codex:c';

interface Stats {
  refreshes: { total: number };
  rotations: number;
  reuseHits: number;
  tokenRequests: number;
}

describe('fleet crash safety: kill -9 of a lease holder on one host', { timeout: 120_000 }, () => {
  let emulator: Emulator;
  let dir = '';
  let url: string;

  afterEach(async () => {
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function setup() {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-fleet-crash-'));
    url = await createTestDatabase('crash');
    const minted = await mint(emulator, 'openai-codex', 'crash@example.test');
    const r = await runCli(
      join(dir, 'h1'),
      ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'c'],
      {
        input: JSON.stringify(minted),
        env: env('h1'),
      },
    );
    expect(r.code).toBe(0);
    await agePgProfile(url, ID);
    return minted;
  }

  const env = (host: string, extra: Record<string, string> = {}) => ({
    ...emulator.env(),
    CLAWKEEP_STORE: url,
    CLAWKEEP_HOST_ID: host,
    CLAWKEEP_LEASE_TTL_MS: String(LEASE_TTL_MS),
    ...extra,
  });
  const stats = async (): Promise<Stats> =>
    (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
  const token = (host: string, extra: Record<string, string> = {}) =>
    runCli(join(dir, host), ['token', ID], { env: env(host, extra) });

  /** `clawkeep token` on `host`, frozen at a broker event, then kill -9. */
  async function killAt(host: string, event: string, extra: Record<string, string> = {}): Promise<number> {
    const mark = join(dir, `frozen-${event}`);
    const child = startNode(CLI, ['--home', join(dir, host), 'token', ID], {
      nodeArgs: ['--import', FREEZE_HOOK],
      env: env(host, {
        CLAWKEEP_TEST_FREEZE_AT: event,
        CLAWKEEP_TEST_FREEZE_MARK: mark,
        ...extra,
      }),
    });
    const done = collect(child);
    for (let i = 0; i < 400 && !existsSync(mark); i++) await sleep(25);
    expect(existsSync(mark), `holder reached ${event}`).toBe(true);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    return child.pid!;
  }

  it('another host takes over a dead holder’s lease only after it expired, and rotates once', async () => {
    const minted = await setup();
    const pid = await killAt('h1', 'refresh_request');
    const held = await readPgRow(url, ID);
    expect(String(held?.lease_owner)).toMatch(new RegExp(`^[^/]*~h1/${pid}/`));
    const r = await token('h2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).not.toBe(minted.access);
    const after = await readPgRow(url, ID);
    // h2 cannot see whether h1's pid lives: it waited for the lease to run out (database clock).
    expect(after?.rotated_at as number).toBeGreaterThanOrEqual(held?.lease_until as number);
    expect(after).toMatchObject({ generation: 2, status: 'ok', lease_owner: null });
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, reuseHits: 0 });
    expect(await pgEventKinds(url, ID)).toContain('lease_taken_over');
  });

  it('the same host sees its dead process and takes over at once, before the lease expires', async () => {
    await setup();
    // A long lease, so a CLI slow to start on a loaded machine still acts well before it ends:
    // only the dead-pid check can explain a takeover before lease_until.
    const long = { CLAWKEEP_LEASE_TTL_MS: '60000' };
    await killAt('h1', 'refresh_request', long);
    const held = await readPgRow(url, ID);
    const r = await token('h1', long);
    expect(r.code).toBe(0);
    const after = await readPgRow(url, ID);
    expect(after?.rotated_at as number).toBeLessThan(held?.lease_until as number);
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, reuseHits: 0 });
  });

  it('killed after the endpoint answered (strict): one presentation of the spent token, then needs_reauth on every host, no loop', async () => {
    await setup();
    await killAt('h1', 'refresh_response');
    const r = await token('h2');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refresh_token_reused');
    const after = await stats();
    expect(after).toMatchObject({ rotations: 1, refreshes: { total: 2 }, reuseHits: 1 });
    for (const host of ['h1', 'h2', 'h3']) expect((await token(host)).code).toBe(1);
    expect((await stats()).tokenRequests).toBe(after.tokenRequests);
    expect(await readPgRow(url, ID)).toMatchObject({
      status: 'needs_reauth',
      status_reason: 'refresh_token_reused',
    });
  });

  it('killed after committing: other hosts adopt the stored token without a token call', async () => {
    await setup();
    await killAt('h1', 'rotated');
    const before = await stats();
    const stored = (await readPgRow(url, ID))?.access;
    for (const host of ['h2', 'h3']) {
      const r = await token(host);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(stored);
    }
    expect(await stats()).toMatchObject({ refreshes: { total: 1 }, tokenRequests: before.tokenRequests });
  });
});
