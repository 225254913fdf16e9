import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { CLI, collect, ROOT, runCli, runNode, startNode } from '../helpers/processes.js';
import { ageProfile, rawDb, readRow } from '../helpers/store-fixtures.js';
import { codexLogin, pastIssueSecond, writeCodexAuth } from './codex-files.js';

const SIM = `${ROOT}test/linked/codex-cli-sim.mjs`;
const ID = 'openai-codex:default';

/**
 * A token endpoint in front of `target` that holds each request: `arrived` resolves when one comes
 * in (its refresh token is presented), and it reaches `target` only after `release()`.
 */
async function holdTokenRequests(target: string) {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    arrive();
    await released;
    const up = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: Buffer.concat(chunks),
    });
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    arrived,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Codex CLI and clawkeep holding one ChatGPT login: auth.json is a linked source. A separate OS process
 * plays Codex (test/linked/codex-cli-sim.mjs), rotating auth.json on its own against the emulator.
 */
describe('linked source: a Codex CLI process and clawkeep share one login', () => {
  let emu: Emulator;
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
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-linked-'));
    home = join(dir, 'home');
    authJson = writeCodexAuth(join(dir, 'codex'), await codexLogin(emu, 'ada@example.com'));
    const imported = await cli(['import', 'codex', '--codex-home', join(dir, 'codex'), '--yes']);
    expect(imported.code, imported.stderr).toBe(0);
    // Let the next token be visibly newer than the imported one.
    await pastIssueSecond(readAuth().tokens.access_token);
  });
  afterEach(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Codex rotates on its own; clawkeep hits reuse, adopts the fresher auth.json copy and continues', async () => {
    // clawkeep's refresh request is held on its way to the provider until Codex has rotated: the
    // order this test is about, made by the test rather than left to how fast two processes start.
    const gate = await holdTokenRequests(emu.env().CLAWKEEP_OPENAI_CODEX_TOKEN_URL!);
    ageProfile(home, ID);
    const clawkeep = startNode(CLI, ['--home', home, 'token', ID], {
      env: { ...emu.env(), CLAWKEEP_OPENAI_CODEX_TOKEN_URL: gate.url },
    });
    const done = collect(clawkeep);
    // clawkeep has presented the refresh token it holds (it exits first only if it never does).
    const early = await Promise.race([gate.arrived.then(() => null), done]);
    expect(early, 'clawkeep finished without presenting its refresh token').toBeNull();
    // Codex spends that token first.
    const codex = await codexRefresh();
    expect(codex.code, codex.stdout).toBe(0);
    gate.release();

    const r = await done;
    await gate.close();
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
      // Later it rotates itself (a visibly newer token) and writes the result back for Codex.
      await pastIssueSecond(readAuth().tokens.access_token);
      ageProfile(home, ID);
      const rotate = await cli(['token', ID]);
      expect(rotate.code, rotate.stderr).toBe(0);
      expect(readAuth().tokens.refresh_token).toBe(readRow(home, ID)!.refresh);
      await pastIssueSecond(String(readRow(home, ID)!.access));
    }
    const stats = await emu.stats();
    expect(stats.reuseHits).toBe(0);
    expect(stats.rotations).toBe(2 * rounds);
    expect(events('adopted')).toHaveLength(rounds);
    expect(events('rotated')).toHaveLength(rounds);
    expect(readRow(home, ID)).toMatchObject({ status: 'ok' });
  });
});
