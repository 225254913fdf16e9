import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { idleSocket } from '../helpers/net.js';
import { CLI, collect, type RunResult, runCli } from '../helpers/processes.js';

/**
 * Issue 23, "File-descriptor exhaustion": the built gateway under a low descriptor limit (soft 64,
 * hard 256), flooded by more idle sockets than it has descriptors, still serves every keyed request.
 * Before the cap was sized from the limit, 3 of 6 keyed requests here got their socket closed: accept()
 * met EMFILE and libuv dropped every pending connection, keyed clients' among them.
 */
const HARD = 256;
const FLOOD = 400;
const hasPrlimit = process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe.skipIf(!hasPrlimit)('a gateway at a 256-descriptor limit, flooded by 400 idle sockets', () => {
  let emulator: Emulator;
  let root: string;
  let home: string;
  let key: string;
  let gw: ChildProcess;
  let exited: Promise<RunResult>;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    root = mkdtempSync(join(tmpdir(), 'clawkeep-fd-limit-'));
    home = join(root, 'home');
    const added = await runCli(home, ['profiles', 'add-key', '--provider', 'anthropic', '--name', 'key'], {
      input: 'sk-emu-anthropic-fd-limit',
    });
    expect(added.code, added.stderr).toBe(0);
    key = (await runCli(home, ['clients', 'add', 'agent'])).stdout.trim();
    writeFileSync(
      join(home, 'config.yaml'),
      [
        'gateway:',
        '  port: 0',
        '  logLevel: warn',
        // Only the cap may close the flood: the header timeout would hide it.
        '  headersTimeoutMs: 600000',
        'chains:',
        '  agent: [{ target: "anthropic/claude-sonnet-4-5", profile: "anthropic:key" }]',
        '',
      ].join('\n'),
    );
    // prlimit execs the command: the gateway runs under its pid with soft 64, hard 256.
    gw = spawn('prlimit', [`--nofile=64:${HARD}`, process.execPath, CLI, '--home', home, 'gateway', 'run'], {
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        CLAWKEEP_ANTHROPIC_BASE_URL: `${emulator.url}/anthropic`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = collect(gw);
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      gw.stderr!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      gw.once('exit', () => reject(new Error(`gateway exited: ${out}`)));
    });
  });

  afterAll(async () => {
    gw?.kill('SIGTERM');
    await exited;
    await emulator?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** A request on a connection of its own (a pooled one would dodge the flood); 0 when the socket failed. */
  async function send(path: string, o: { method?: 'GET' | 'POST'; body?: string } = {}) {
    const dispatcher = new Agent();
    try {
      const res = await request(`${url}${path}`, {
        method: o.method ?? 'GET',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        ...(o.body === undefined ? {} : { body: o.body }),
        dispatcher,
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch {
      return { status: 0, text: '' };
    } finally {
      await dispatcher.close();
    }
  }

  const keyed = async () =>
    (
      await send('/v1/messages', {
        method: 'POST',
        body: JSON.stringify({
          model: 'chain:agent',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      })
    ).status;

  it('raises the soft limit to the hard one, sizes its cap below it and serves keyed clients through the flood', async () => {
    const limits = readFileSync(`/proc/${gw.pid}/limits`, 'utf8');
    expect(limits).toMatch(new RegExp(`^Max open files\\s+${HARD}\\s+${HARD}\\s`, 'm'));

    const { port } = new URL(url);
    const sockets: ReturnType<typeof idleSocket>[] = [];
    // In batches, each awaited until connected (or already closed by the gateway), so the kernel's
    // accept queue is not asked to hold all of them while the gateway is descheduled.
    for (let i = 0; i < FLOOD; i += 50) {
      const batch = Array.from({ length: 50 }, () => idleSocket(Number(port)));
      sockets.push(...batch);
      await Promise.all(batch.map((s) => s.connected));
    }
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await keyed());
    const fds = readdirSync(`/proc/${gw.pid}/fd`).length;
    const { text } = await send('/metrics');
    const max = metric(text, 'clawkeep_connections_max');
    const open =
      metric(text, 'clawkeep_connections{state="no_request"}') +
      metric(text, 'clawkeep_connections{state="serving"}');
    const shed = metric(text, 'clawkeep_connections_shed_total{reason="no_request"}');
    console.log(
      `descriptor limit ${HARD}: keyed ${statuses.filter((s) => s === 200).length} of ${statuses.length} served (${statuses.join(' ')}); cap ${max}, ${open} client sockets open, ${shed} closed at the cap, ${fds} descriptors in use`,
    );
    for (const s of sockets) s.socket.destroy();

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(metric(text, 'clawkeep_descriptor_limit')).toBe(HARD);
    expect(max).toBeLessThan(HARD);
    expect(open).toBeLessThanOrEqual(max);
    expect(shed).toBeGreaterThan(0);
  });
});
