/**
 * Refresh storm, side by side in one run against the emulator (strict single-use refresh tokens):
 *   (a) clawkeep: PROCS processes x CALLERS concurrent getAccessToken per rotation
 *   (b) naive baseline: the same processes refreshing on their own (pi-ai getOAuthApiKey pattern)
 *   (c) getAccessToken latency: hot path (in memory) vs a bare Map lookup, cold path (store read) vs a bare SQLite get
 * Usage: npm run build && npm run bench:refresh-storm [-- --rotations 20 --procs 8 --callers 50]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Broker } from '../src/broker/broker.js';
import { startEmulator } from '../src/emulator/index.js';
import { openStore } from '../src/store/open-store.js';
import { mint } from '../test/helpers/emulator.js';
import { collect, ROOT, runCli, startNode } from '../test/helpers/processes.js';
import { ageProfile } from '../test/helpers/store-fixtures.js';
import { runStorm } from '../test/helpers/storm.js';

const { values } = parseArgs({
  options: {
    rotations: { type: 'string', default: '20' },
    procs: { type: 'string', default: '8' },
    callers: { type: 'string', default: '50' },
    samples: { type: 'string', default: '200000' },
  },
});
const ROTATIONS = Number(values.rotations);
const PROCS = Number(values.procs);
const CALLERS = Number(values.callers);
const SAMPLES = Number(values.samples);

if (!existsSync(join(ROOT, 'dist/broker/broker.js'))) {
  console.error('bench/refresh-storm: run `npm run build` first (workers use the compiled broker)');
  process.exit(2);
}

interface Stats {
  refreshes: { total: number };
  rotations: number;
  reuseHits: number;
}

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-bench-'));
const emulator = await startEmulator({ reuse: { kind: 'strict' } });
const stats = async () => (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
const env = emulator.env();

try {
  // (a) clawkeep
  const home = join(dir, 'home');
  const a = await mint(emulator, 'openai-codex', 'bench-a@example.test');
  await runCli(home, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'bench'], {
    input: JSON.stringify(a),
  });
  const before = await stats();
  let clawkeepFailures = 0;
  for (let r = 0; r < ROTATIONS; r++) {
    ageProfile(home, 'openai-codex:bench');
    const storm = await runStorm(home, 'openai-codex:bench', PROCS, CALLERS, env);
    clawkeepFailures += [...storm.errors.values()].reduce((x, y) => x + y, 0);
  }
  const after = await stats();
  const ours = {
    calls: after.refreshes.total - before.refreshes.total,
    rotations: after.rotations - before.rotations,
    reuse: after.reuseHits - before.reuseHits,
    failedCallers: clawkeepFailures,
  };

  // (b) naive baseline: a shared credentials file, no cross-process coordination
  const file = join(dir, 'auth.json');
  const b = await mint(emulator, 'openai-codex', 'bench-b@example.test');
  writeFileSync(file, JSON.stringify({ access: b.access, refresh: b.refresh, expires: b.expires }));
  const before2 = await stats();
  let naiveFailures = 0;
  const naiveWorker = join(ROOT, 'bench/naive-worker.mjs');
  for (let r = 0; r < ROTATIONS; r++) {
    const cred = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8')));
    writeFileSync(file, JSON.stringify({ ...cred, expires: Date.now() + 1000 }));
    const runs = await Promise.all(
      Array.from({ length: PROCS }, () =>
        collect(
          startNode(naiveWorker, [
            file,
            env.CLAWKEEP_OPENAI_CODEX_TOKEN_URL!,
            'app_EMoamEEZ73f0CkXaXp7hrann',
            String(CALLERS),
          ]),
        ),
      ),
    );
    for (const run of runs) naiveFailures += (JSON.parse(run.stdout) as { errors: number }).errors;
  }
  const after2 = await stats();
  const naive = {
    calls: after2.refreshes.total - before2.refreshes.total,
    rotations: after2.rotations - before2.rotations,
    reuse: after2.reuseHits - before2.reuseHits,
    failedCallers: naiveFailures,
  };

  // (c) latency, in this process
  const { store } = openStore({ home });
  const broker = new Broker({ store });
  const id = 'openai-codex:bench';
  await broker.getAccessToken(id);
  const hot = await measure(SAMPLES, () => broker.getAccessToken(id));
  const map = new Map([[id, { access: 'x', refreshAt: Number.POSITIVE_INFINITY }]]);
  const rawHot = await measure(SAMPLES, async () => {
    const e = map.get(id);
    return e !== undefined && Date.now() < e.refreshAt ? e.access : '';
  });
  const coldN = Math.min(SAMPLES, 20_000);
  const cold = await measure(coldN, () => {
    broker.forget(id);
    return broker.getAccessToken(id);
  });
  const raw = new Database(join(home, 'clawkeep.sqlite'), { readonly: true });
  const get = raw.prepare('SELECT * FROM profiles WHERE id = ?');
  const rawCold = await measure(coldN, async () => get.get(id));
  raw.close();
  await store.close();

  const perRot = (x: { calls: number; rotations: number }) =>
    x.rotations ? x.calls / x.rotations : Number.NaN;
  console.log(
    `refresh storm: ${PROCS} processes x ${CALLERS} callers, ${ROTATIONS} rotations, emulator reuse=strict\n`,
  );
  console.table({
    clawkeep: {
      'token calls': ours.calls,
      rotations: ours.rotations,
      'calls/rotation': perRot(ours).toFixed(2),
      'reuse hits': ours.reuse,
      'failed callers': ours.failedCallers,
    },
    'naive (per process)': {
      'token calls': naive.calls,
      rotations: naive.rotations,
      'calls/rotation': perRot(naive).toFixed(2),
      'reuse hits': naive.reuse,
      'failed callers': naive.failedCallers,
    },
  });
  console.log(
    `naive / clawkeep token calls: ${(naive.calls / Math.max(1, ours.calls)).toFixed(1)}x; reuse hits ${naive.reuse} vs ${ours.reuse}\n`,
  );
  console.table({
    'hot: getAccessToken (ns)': { p50: hot.p50, p99: hot.p99 },
    'hot: raw Map+Date.now (ns)': { p50: rawHot.p50, p99: rawHot.p99 },
    'cold: getAccessToken (µs)': { p50: hot.fmt(cold.p50 / 1000), p99: hot.fmt(cold.p99 / 1000) },
    'cold: raw SQLite get (µs)': { p50: hot.fmt(rawCold.p50 / 1000), p99: hot.fmt(rawCold.p99 / 1000) },
  });
  console.log(
    `hot p99 ratio to raw: ${(hot.p99 / rawHot.p99).toFixed(1)}x (target p99 < 2000 ns: ${hot.p99 < 2000 ? 'met' : 'MISSED'}); ` +
      `cold p99 ratio to raw: ${(cold.p99 / rawCold.p99).toFixed(1)}x (target p99 < 200 µs: ${cold.p99 < 200_000 ? 'met' : 'MISSED'}); ` +
      `calls/rotation = ${perRot(ours).toFixed(2)} (target 1.00), reuse = ${ours.reuse} (target 0)`,
  );
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Per-call latency in ns (hrtime around each awaited call), after a warm-up. */
async function measure(n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(n, 10_000); i++) await fn();
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  samples.sort();
  return {
    p50: samples[Math.floor(n * 0.5)]!,
    p99: samples[Math.floor(n * 0.99)]!,
    fmt: (x: number) => x.toFixed(1),
  };
}
