import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorControl, startEmulator } from '../../src/emulator/index.js';
import { CLI, collect, ROOT, runCli, runNode, startNode } from '../helpers/processes.js';
import { ageProfile, rawDb, readRow } from '../helpers/store-fixtures.js';
import { codexLogin, writeCodexAuth } from './codex-files.js';

const SIM = `${ROOT}test/linked/codex-cli-sim.mjs`;
const ID = 'openai-codex:default';

/**
 * Codex CLI and clawkeep holding one ChatGPT login: auth.json is a linked source. A separate OS process
 * plays Codex (test/linked/codex-cli-sim.mjs), rotating auth.json on its own against the emulator.
 */
describe('linked source: a Codex CLI process and clawkeep share one login', () => {
  let emu: Emulator;
  let control: EmulatorControl;
  let dir: string;
  let home: string;
  let authJson: string;

  const cli = (args: string[]) => runCli(home, args, { env: emu.env() });
  const codexRefresh = () => runNode(SIM, [authJson, emu.env().CLAWKEEP_OPENAI_CODEX_TOKEN_URL!]);
  const readAuth = () => JSON.parse(readFileSync(authJson, 'utf8'));
  const events = (kind: string) => {
    const db = rawDb(home);
    try {
      return db.prepare('SELECT data FROM events WHERE kind = ? AND profile_id = ?').all(kind, ID) as {
        data: string;
      }[];
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    emu = await startEmulator({ reuse: { kind: 'strict' } });
    control = new EmulatorControl(emu.url);
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-linked-'));
    home = join(dir, 'home');
    authJson = writeCodexAuth(join(dir, 'codex'), await codexLogin(emu, 'ada@example.com'));
    const imported = await cli(['import', 'codex', '--codex-home', join(dir, 'codex'), '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    // JWT iat has a one-second resolution: let the next token be visibly newer than the imported one.
    await sleep(1100);
  });
  afterEach(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Codex rotates on its own; clawkeep hits reuse, adopts the fresher auth.json copy and continues', async () => {
    // clawkeep's refresh is held 5 s at the provider: room for Codex's (a process start and one request)
    // to land first even on a loaded machine (1.5 s was not, once).
    await control.addFault({ target: 'token', provider: 'openai-codex', latencyMs: 5000 });
    ageProfile(home, ID);
    const before = (await emu.stats()).tokenRequests;
    const clawkeep = startNode(CLI, ['--home', home, 'token', ID], { env: emu.env() });
    const done = collect(clawkeep);
    // clawkeep has presented the refresh token it holds; Codex, undelayed, spends that token first.
    for (let i = 0; i < 200 && (await emu.stats()).tokenRequests === before; i++) await sleep(10);
    await control.clearFaults();
    const codex = await codexRefresh();
    expect(codex.code, codex.stdout).toBe(0);
    // The order this test is about: Codex rotated while clawkeep's request was still on the wire.
    expect(clawkeep.exitCode, 'clawkeep finished before Codex rotated').toBeNull();

    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(readAuth().tokens.access_token);
    const stats = await emu.stats();
    expect(stats.reuseHits).toBe(1);
    expect(stats.rotations).toBe(1);
    expect(readRow(home, ID)).toMatchObject({ status: 'ok', refresh: readAuth().tokens.refresh_token });
    expect(events('adopted')).toHaveLength(1);
    expect(events('reauth_required')).toHaveLength(0);

    // And it continues: its next rotation succeeds and lands in auth.json.
    ageProfile(home, ID);
    expect((await cli(['token', ID])).code).toBe(0);
    expect(readAuth().tokens.refresh_token).toBe(readRow(home, ID)!.refresh);
    expect((await emu.stats()).reuseHits).toBe(1);
    expect((await cli(['models', 'status'])).code).toBe(0);
  });

  it("clawkeep's rotations appear in auth.json, in Codex's format, and Codex continues from them", async () => {
    const idToken = readAuth().tokens.id_token;
    ageProfile(home, ID);
    const r = await cli(['token', ID]);
    expect(r.code, r.stderr).toBe(0);
    const row = readRow(home, ID)!;
    expect(row.generation).toBe(2);
    const doc = readAuth();
    expect(doc.tokens).toMatchObject({
      access_token: row.access,
      refresh_token: row.refresh,
      id_token: idToken,
    });
    expect(doc).toMatchObject({ auth_mode: 'chatgpt', OPENAI_API_KEY: null, future_field: { kept: true } });
    expect(Date.now() - Date.parse(doc.last_refresh)).toBeLessThan(10_000);
    expect(statSync(authJson).mode & 0o777).toBe(0o600);

    const codex = await codexRefresh();
    expect(codex.code, codex.stdout).toBe(0);
    expect((await emu.stats()).reuseHits).toBe(0);
  });

  it('no reuse hits in either direction when both sides take turns', async () => {
    const rounds = 3;
    for (let i = 0; i < rounds; i++) {
      const codex = await codexRefresh();
      expect(codex.code, codex.stdout).toBe(0);
      // clawkeep's turn: it finds Codex's newer copy and adopts it instead of presenting its own.
      ageProfile(home, ID);
      const adopt = await cli(['token', ID]);
      expect(adopt.code, adopt.stderr).toBe(0);
      expect(adopt.stdout.trim()).toBe(readAuth().tokens.access_token);
      // Later it rotates itself and writes the result back for Codex.
      await sleep(1100);
      ageProfile(home, ID);
      const rotate = await cli(['token', ID]);
      expect(rotate.code, rotate.stderr).toBe(0);
      expect(readAuth().tokens.refresh_token).toBe(readRow(home, ID)!.refresh);
      await sleep(1100);
    }
    const stats = await emu.stats();
    expect(stats.reuseHits).toBe(0);
    expect(stats.rotations).toBe(2 * rounds);
    expect(events('adopted')).toHaveLength(rounds);
    expect(events('rotated')).toHaveLength(rounds);
    expect(readRow(home, ID)).toMatchObject({ status: 'ok' });
  });
});
