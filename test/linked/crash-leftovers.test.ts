import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { openStore } from '../../src/store/open-store.js';
import { collect, ROOT, runCli, startNode } from '../helpers/processes.js';

const AUTH = (refresh: string) =>
  `${JSON.stringify({ OPENAI_API_KEY: null, tokens: { access_token: 'at-fake', refresh_token: refresh, account_id: 'acct-fake' }, last_refresh: '2026-01-01T00:00:00Z' }, null, 2)}\n`;

/** Writes auth.json through clawkeep's linked write-back and stops dead (SIGKILL) before the rename. */
const CRASHING_WRITER = `
import { open } from 'node:fs/promises';
const { readJsonDoc, writeJsonDoc } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/linked/json-file.ts')).href)});
const probe = await open(process.argv[2], 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
// The temp file is written; its fsync never returns: the parent kills this process here.
proto.sync = () => { process.stdout.write('temp written\\n'); return new Promise(() => {}); };
const d = await readJsonDoc(process.argv[2]);
d.doc.tokens.refresh_token = 'rt-fake-ROTATED-in-flight';
await writeJsonDoc(d);
`;

const twoMinutesAgo = (path: string) => {
  const t = new Date(Date.now() - 120_000);
  utimesSync(path, t, t);
};

async function deadPid(): Promise<number> {
  const child = startNode('-e', ['']);
  const pid = child.pid!;
  await collect(child);
  return pid;
}

describe('temp files a crash leaves beside linked credential files', () => {
  const root = mkdtempSync(join(tmpdir(), 'clawkeep-linked-crash-'));
  const home = join(root, 'home');
  const codexDir = join(root, 'dot-codex');
  const auth = join(codexDir, 'auth.json');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    mkdirSync(codexDir, { mode: 0o700 });
    writeFileSync(auth, AUTH('rt-fake-original'), { mode: 0o600 });
    const { store } = openStore({ home });
    await store.insertProfile(
      {
        id: 'openai-codex:me',
        type: 'oauth',
        access: 'at-fake',
        refresh: 'rt-fake-original',
        expires: Date.now() + 3_600_000,
        accountId: 'acct-fake',
      },
      Date.now(),
    );
    await store.addLinkedSource(
      { profileId: 'openai-codex:me', kind: 'codex-auth-json', location: auth },
      Date.now(),
    );
    await store.close();
  });

  it('kill -9 mid-write leaves a marked temp file; the next run removes only it, the doctor too', async () => {
    const script = join(root, 'crashing-writer.mjs');
    writeFileSync(script, CRASHING_WRITER);
    const writer = startNode(script, [auth], {
      nodeArgs: ['--import', 'tsx'],
      env: { NODE_PATH: join(ROOT, 'node_modules') },
    });
    const exited = collect(writer);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      writer.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('temp written')) resolve();
      });
      writer.on('exit', () => reject(new Error('the writer exited before writing its temp file')));
    });
    writer.kill('SIGKILL');
    const { signal, stderr } = await exited;
    expect(signal, stderr).toBe('SIGKILL');
    const crashTemp = readdirSync(codexDir).filter((n) => n.startsWith('auth.json.clawkeep.tmp-'));
    expect(crashTemp).toEqual([
      expect.stringMatching(new RegExp(`^auth\\.json\\.clawkeep\\.tmp-${writer.pid}-[0-9a-f]{8}$`)),
    ]);
    const crashPath = join(codexDir, crashTemp[0]!);
    expect(readFileSync(crashPath, 'utf8')).toContain('rt-fake-ROTATED-in-flight');
    // The write never happened: the file is as it was.
    expect(readFileSync(auth, 'utf8')).toBe(AUTH('rt-fake-original'));

    // What must never be touched: another tool's temp file of the same shape as clawkeep's old one,
    // write-file-atomic's unmarked temp, the user's backup, a marked temp of a live process, a link.
    const gone = await deadPid();
    const keep = {
      openclawStyle: join(codexDir, `auth.json.tmp-${gone}-1790000000000`),
      unmarked: join(codexDir, 'auth.json.3735928559'),
      backup: join(codexDir, 'auth.json.bak'),
      live: join(codexDir, `auth.json.clawkeep.tmp-${process.pid}-0123abcd`),
    };
    for (const p of Object.values(keep)) {
      writeFileSync(p, AUTH('rt-fake-user'), { mode: 0o600 });
      twoMinutesAgo(p);
    }

    // Just after the crash the temp file may be another container's write in progress: kept.
    const early = await runCli(home, ['profiles', 'list']);
    expect(early.code, early.stderr).toBe(0);
    expect(existsSync(crashPath)).toBe(true);

    twoMinutesAgo(crashPath);
    const next = await runCli(home, ['profiles', 'list']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`notice: removed ${crashPath}, left by an interrupted write`);
    expect(next.stderr).not.toContain('rt-fake');
    expect(existsSync(crashPath)).toBe(false);
    for (const p of Object.values(keep)) expect(existsSync(p), p).toBe(true);
    expect(readFileSync(auth, 'utf8')).toBe(AUTH('rt-fake-original'));

    // The doctor lists a marked temp file of a dead writer beside a linked file, and --fix removes it.
    const planted = join(codexDir, `auth.json.clawkeep.tmp-${gone}-89abcdef`);
    writeFileSync(planted, AUTH('rt-fake-planted'), { mode: 0o600 });
    twoMinutesAgo(planted);
    const report = await runDoctor({ clawkeepHome: home, openclawHomes: [] });
    const found = report.checks.find((c) => c.id === 'leftover-files')!.findings;
    expect(found.map((f) => f.path)).toEqual([planted]);
    expect(JSON.stringify(report)).not.toContain('rt-fake-planted');
    await runDoctor({ clawkeepHome: home, openclawHomes: [], fix: true });
    expect(existsSync(planted)).toBe(false);
    for (const p of Object.values(keep)) expect(existsSync(p), p).toBe(true);
    console.log(
      `linked leftovers: crash temp ${crashTemp[0]} removed by the next run, planted one by doctor --fix; kept ${Object.keys(keep).length} files that are not clawkeep's abandoned temp files`,
    );
  }, 60_000);

  it('the same holds beside an agent config `connect` wrote (it holds a client key)', async () => {
    const codexCfg = join(root, 'connected-codex');
    mkdirSync(codexCfg, { mode: 0o700 });
    const env = { CODEX_HOME: codexCfg };
    const c = await runCli(home, ['connect', 'codex'], { env });
    expect(c.code, c.stderr).toBe(0);
    const gone = await deadPid();
    const crashed = join(codexCfg, `config.toml.clawkeep.tmp-${gone}-0badc0de`);
    const live = join(codexCfg, `config.toml.clawkeep.tmp-${process.pid}-0123abcd`);
    const theirs = join(codexCfg, 'config.toml.bak');
    for (const p of [crashed, live, theirs]) {
      writeFileSync(p, 'model_provider = "clawkeep"\n', { mode: 0o600 });
      twoMinutesAgo(p);
    }
    const next = await runCli(home, ['profiles', 'list'], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`notice: removed ${crashed}, left by an interrupted write`);
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(theirs)).toBe(true);
    // The doctor looks there too.
    const planted = join(codexCfg, `config.toml.clawkeep.tmp-${gone}-89abcdef`);
    writeFileSync(planted, 'x', { mode: 0o600 });
    twoMinutesAgo(planted);
    const report = await runDoctor({ clawkeepHome: home, openclawHomes: [] });
    const found = report.checks.find((c) => c.id === 'leftover-files')!.findings;
    expect(found.map((f) => f.path)).toContain(planted);
  });
});
