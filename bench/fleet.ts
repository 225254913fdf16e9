/**
 * A fleet sharing one account, side by side in one run against the emulator (strict single-use tokens):
 *   (a) clawkeep on one PostgreSQL: HOSTS hosts (CLAWKEEP_HOST_ID) x PROCS processes x CALLERS callers
 *   (b) baseline: HOSTS independent SQLite homes holding the same login ("signed in on every host")
 *   (c) hand-off: one host commits a rotation while another waits on its lease: NOTIFY vs polling
 *   (d) hot path: getAccessToken on PostgreSQL vs on SQLite (both in memory: the ratio should be ~1)
 * Usage: npm run bench:fleet [-- --hosts 4 --procs 2 --callers 50 --rotations 5 --handoffs 40]
 * Needs PostgreSQL server binaries (apt-get install postgresql); starts its own throwaway server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker } from '../src/broker/broker.js';
import { tryClaimLease } from '../src/broker/lease.js';
import { startEmulator } from '../src/emulator/index.js';
import { openStore } from '../src/store/open-store.js';
import { PostgresStore } from '../src/store/postgres/pg-store.js';
import type { Store } from '../src/store/types.js';
import { mint } from '../test/helpers/emulator.js';
import { agePgProfile } from '../test/helpers/pg-fixtures.js';
import { createTestDatabase } from '../test/helpers/postgres.js';
import { runCli } from '../test/helpers/processes.js';
import { ageProfile } from '../test/helpers/store-fixtures.js';
import { runStorm } from '../test/helpers/storm.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '4' },
    procs: { type: 'string', default: '2' },
    callers: { type: 'string', default: '50' },
    rotations: { type: 'string', default: '5' },
    handoffs: { type: 'string', default: '40' },
    samples: { type: 'string', default: '200000' },
  },
});
const HOSTS = Number(values.hosts);
const PROCS = Number(values.procs);
const CALLERS = Number(values.callers);
const ROTATIONS = Number(values.rotations);
const HANDOFFS = Number(values.handoffs);
const SAMPLES = Number(values.samples);

interface Stats {
  refreshes: { total: number };
  rotations: number;
  reuseHits: number;
}

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-bench-fleet-'));
const emulator = await startEmulator({ reuse: { kind: 'strict' } });
const stats = async () => (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
const env = emulator.env();
const ID = 'openai-codex:bench';
const delta = (a: Stats, b: Stats, failed: number) => ({
  calls: b.refreshes.total - a.refreshes.total,
  rotations: b.rotations - a.rotations,
  reuse: b.reuseHits - a.reuseHits,
  failed,
});
const failures = (errors: Map<string, number>) => [...errors.values()].reduce((x, y) => x + y, 0);

try {
  // (a) clawkeep: one PostgreSQL shared by every host
  const url = await createTestDatabase('bench');
  const pgEnv = { ...env, CLAWKEEP_STORE: url };
  const a = await mint(emulator, 'openai-codex', 'fleet-a@example.test');
  await runCli(
    join(dir, 'pg-home'),
    ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'bench'],
    {
      input: JSON.stringify(a),
      env: pgEnv,
    },
  );
  const s0 = await stats();
  let failedA = 0;
  for (let r = 0; r < ROTATIONS; r++) {
    await agePgProfile(url, ID);
    const storm = await runStorm(join(dir, 'pg-home'), ID, HOSTS * PROCS, CALLERS, pgEnv, (i) => ({
      CLAWKEEP_HOST_ID: `host-${i % HOSTS}`,
    }));
    failedA += failures(storm.errors);
  }
  const ours = delta(s0, await stats(), failedA);

  // (b) the same login copied into HOSTS independent SQLite homes
  const b = await mint(emulator, 'openai-codex', 'fleet-b@example.test');
  const homes = Array.from({ length: HOSTS }, (_, h) => join(dir, `lite-${h}`));
  for (const home of homes) {
    await runCli(home, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'bench'], {
      input: JSON.stringify(b),
    });
  }
  const s1 = await stats();
  let failedB = 0;
  for (let r = 0; r < ROTATIONS; r++) {
    for (const home of homes) ageProfile(home, ID);
    const storms = await Promise.all(homes.map((home) => runStorm(home, ID, PROCS, CALLERS, env)));
    for (const s of storms) failedB += failures(s.errors);
  }
  const baseline = delta(s1, await stats(), failedB);

  // (c) hand-off latency: host B waits on host A's lease; A commits; how long until B has the token
  const notify = await handoff(url, true);
  const polling = await handoff(url, false);

  // (d) hot path on each backend
  const pgStore = new PostgresStore({ url });
  const pgBroker = new Broker({ store: pgStore, env });
  // The baseline's homes ended in needs_reauth (that is the point): a fresh login for this one.
  const hotHome = join(dir, 'lite-hot');
  await runCli(hotHome, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'bench'], {
    input: JSON.stringify(await mint(emulator, 'openai-codex', 'fleet-hot@example.test')),
  });
  const { store: liteStore } = openStore({ home: hotHome });
  const liteBroker = new Broker({ store: liteStore, env });
  await pgBroker.getAccessToken(ID);
  await liteBroker.getAccessToken(ID);
  const hotPg = await measure(SAMPLES, () => pgBroker.getAccessToken(ID));
  const hotLite = await measure(SAMPLES, () => liteBroker.getAccessToken(ID));
  await pgStore.close();
  await liteStore.close();

  const perRot = (x: { calls: number; rotations: number }) =>
    x.rotations ? x.calls / x.rotations : Number.NaN;
  console.log(
    `fleet: ${HOSTS} hosts x ${PROCS} processes x ${CALLERS} callers, ${ROTATIONS} rounds, emulator reuse=strict\n`,
  );
  console.table({
    'clawkeep, one PostgreSQL': {
      'token calls': ours.calls,
      rotations: ours.rotations,
      'calls/round': (ours.calls / ROTATIONS).toFixed(2),
      'calls/rotation': perRot(ours).toFixed(2),
      'reuse hits': ours.reuse,
      'failed callers': ours.failed,
    },
    [`${HOSTS} independent SQLite homes`]: {
      'token calls': baseline.calls,
      rotations: baseline.rotations,
      'calls/round': (baseline.calls / ROTATIONS).toFixed(2),
      'calls/rotation': perRot(baseline).toFixed(2),
      'reuse hits': baseline.reuse,
      'failed callers': baseline.failed,
    },
  });
  console.table({
    'hand-off with NOTIFY (ms)': { p50: notify.p50.toFixed(1), p99: notify.p99.toFixed(1) },
    'hand-off polling only (ms)': { p50: polling.p50.toFixed(1), p99: polling.p99.toFixed(1) },
    'hot path, PostgreSQL (ns)': { p50: hotPg.p50, p99: hotPg.p99 },
    'hot path, SQLite (ns)': { p50: hotLite.p50, p99: hotLite.p99 },
  });
  console.log(
    `calls per round: ${(ours.calls / ROTATIONS).toFixed(2)} on PostgreSQL vs ${(baseline.calls / ROTATIONS).toFixed(2)} with independent homes; ` +
      `reuse ${ours.reuse} vs ${baseline.reuse}; hand-off p99 ${notify.p99.toFixed(1)} ms with NOTIFY ` +
      `(target < 50 ms: ${notify.p99 < 50 ? 'met' : 'MISSED'}) vs ${polling.p99.toFixed(1)} ms polling; ` +
      `hot-path p50 ratio PostgreSQL/SQLite ${(hotPg.p50 / hotLite.p50).toFixed(2)} (target ≤ 1.1: ${hotPg.p50 / hotLite.p50 <= 1.1 ? 'met' : 'MISSED'})`,
  );
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Host B's broker waits on a lease host A holds; A commits a rotation; the time from A's commit to
 * B's getAccessToken resolving, in ms. Without the change signal B only notices when it polls.
 */
async function handoff(url: string, withNotify: boolean) {
  const storeA = new PostgresStore({ url });
  const storeB = new PostgresStore({ url });
  // Polling only: the same store with its change signal hidden.
  const viewB: Store = withNotify
    ? storeB
    : new Proxy(storeB, {
        get: (t, k) => {
          if (k === 'watchChanges') return undefined;
          const v = Reflect.get(t, k, t);
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
  const brokerB = new Broker({ store: viewB, env });
  if (withNotify) await storeB.listening();
  const samples: number[] = [];
  try {
    for (let i = 0; i < HANDOFFS; i++) {
      const id = `openai-codex:handoff-${withNotify ? 'n' : 'p'}-${i}`;
      const now = Date.now();
      await storeA.insertProfile(
        {
          id,
          type: 'oauth',
          access: 'fake-access-0',
          refresh: 'fake-refresh-0',
          expires: now + 1000,
          issuedAt: now - 3_600_000,
        },
        now,
      );
      await tryClaimLease(storeA, {
        id,
        owner: 'host-a/1/bench',
        now,
        ttlMs: 30_000,
        isFresh: () => false,
        isOwnerDead: () => false,
      });
      const waiting = brokerB.getAccessToken(id).then(() => performance.now());
      // Let B's poll interval grow as it would during a real rotation.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 100));
      const t0 = performance.now();
      await storeA.commitRotation(
        id,
        'fake-refresh-0',
        {
          access: `fake-access-${i}`,
          refresh: `fake-refresh-${i + 1}`,
          expires: Date.now() + 3_600_000,
          issuedAt: Date.now(),
        },
        Date.now(),
      );
      samples.push((await waiting) - t0);
    }
  } finally {
    await storeA.close();
    await storeB.close();
  }
  samples.sort((x, y) => x - y);
  return {
    p50: samples[Math.floor(samples.length * 0.5)]!,
    p99: samples[Math.floor(samples.length * 0.99)]!,
  };
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
  return { p50: samples[Math.floor(n * 0.5)]!, p99: samples[Math.floor(n * 0.99)]! };
}
