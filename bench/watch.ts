/**
 * bench/watch: how fast a split is healed once it forms, and what guarding costs while nothing
 * happens. A runtime (test/watch/runtime-writer.mjs) writes rotated tokens into a leftover
 * auth-profiles.json next to OpenClaw 2026.6's openclaw-agent.sqlite and times until the store holds
 * each one; side by side: `clawkeep watch` and the naive peer, a loop running `clawkeep doctor --fix`
 * every second. Then each runs idle for a period and its CPU time is read from /proc (Linux).
 *
 *   npm run bench:watch -- [divergences=30] [idleSeconds=60]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/clawkeep.js');
const WRITER = join(ROOT, 'test/watch/runtime-writer.mjs');
const FIXTURE = join(ROOT, 'test/fixtures/openclaw/split-2026.6');
const N = Number(process.argv[2] ?? 30);
const IDLE_S = Number(process.argv[3] ?? 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Peer {
  name: string;
  start: (state: string, home: string) => ChildProcess;
}

// The naive peer: a loop that runs the doctor's repair every second, whatever happened.
const LOOP = `
const { spawnSync } = require('node:child_process');
const [cli, home, state] = process.argv.slice(1);
const tick = () => { spawnSync(process.execPath, [cli, '--home', home, 'doctor', '--fix', '--openclaw-home', state], { stdio: 'ignore' }); setTimeout(tick, 1000); };
tick();`;

const PEERS: Peer[] = [
  {
    name: 'clawkeep watch',
    start: (state, home) =>
      spawn(
        process.execPath,
        [CLI, '--home', home, 'watch', '--openclaw-home', state, '--log-level', 'warn'],
        {
          stdio: 'ignore',
          env: { ...process.env, NO_COLOR: '1' },
        },
      ),
  },
  {
    name: 'doctor --fix every 1 s',
    start: (state, home) =>
      spawn(process.execPath, ['-e', LOOP, CLI, home, state], {
        stdio: 'ignore',
        env: { ...process.env, NO_COLOR: '1' },
      }),
  },
];

/** utime+stime of the process and of the children it waited for, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0);
    return ticks / 100;
  } catch {
    return null;
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function runWriter(state: string): Promise<Array<number | null>> {
  const child = spawn(process.execPath, [WRITER, state, String(N), '300', '1', '10000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.on('close', r));
  return out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { healedMs: number | null }).healedMs);
}

interface Row {
  name: string;
  p50: number;
  p99: number;
  unhealed: number;
  idleCpuPct: number | null;
}

async function measure(peer: Peer): Promise<Row> {
  const state = mkdtempSync(join(tmpdir(), 'clawkeep-bench-watch-'));
  cpSync(FIXTURE, state, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-bench-watch-home-'));
  writeFileSync(join(home, '.keep'), '');
  const child = peer.start(state, home);
  await sleep(3000); // first reconcile of the fixture's split
  const heals = await runWriter(state);
  await sleep(2000);
  const before = cpuSeconds(child.pid!);
  await sleep(IDLE_S * 1000);
  const after = cpuSeconds(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  const ok = heals.filter((h): h is number => h !== null);
  return {
    name: peer.name,
    p50: percentile(ok, 50),
    p99: percentile(ok, 99),
    unhealed: heals.length - ok.length,
    idleCpuPct: before === null || after === null ? null : ((after - before) / IDLE_S) * 100,
  };
}

const rows: Row[] = [];
for (const peer of PEERS) rows.push(await measure(peer));
console.log(
  `bench/watch: ${N} divergences (a runtime writing the leftover file every 300 ms), then ${IDLE_S} s idle`,
);
console.log('peer                      repair p50   repair p99   unhealed   idle CPU');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(24)}  ${`${r.p50.toFixed(0)} ms`.padStart(10)}   ${`${r.p99.toFixed(0)} ms`.padStart(10)}   ${String(r.unhealed).padStart(8)}   ${r.idleCpuPct === null ? 'n/a (no /proc)' : `${r.idleCpuPct.toFixed(2)} %`}`,
  );
}
const [g, d] = rows;
if (g && d) {
  console.log(
    `ratios (peer / guardian): repair p50 ×${(d.p50 / g.p50).toFixed(1)}, p99 ×${(d.p99 / g.p99).toFixed(1)}` +
      (g.idleCpuPct === 0
        ? ', idle CPU: the guardian used less than one 10 ms tick over the whole idle period'
        : g.idleCpuPct && d.idleCpuPct
          ? `, idle CPU ×${(d.idleCpuPct / g.idleCpuPct).toFixed(0)}`
          : ''),
  );
}
