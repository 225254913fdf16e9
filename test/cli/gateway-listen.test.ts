import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, collect, type RunResult, runCli, runNode, startNode } from '../helpers/processes.js';

async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

/** Starts `gateway run` and waits for its listening line; returns the child, its URL and its output so far. */
async function startGateway(home: string, args: string[], env: Record<string, string> = {}) {
  const child = startNode(CLI, ['--home', home, 'gateway', 'run', ...args], { env });
  const done = collect(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 400 && !/listening on http/.test(err) && child.exitCode === null; i++) await sleep(25);
  const url = /listening on (http:\/\/[^ ]+)/.exec(err)?.[1] ?? null;
  return { child, url, done };
}

/** Exit 2, one line (plus at most a `hint:` line), never a stack. */
function expectOneLine(r: RunResult, withHint = false) {
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(withHint ? 2 : 1);
  if (withHint) expect(lines[1]).toMatch(/^hint: /);
}

describe('gateway run/start and emulator: --port/--host, port in use, logs, Ctrl-C', () => {
  let dir: string;
  let children: ChildProcess[];
  let servers: Server[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-listen-'));
    children = [];
    servers = [];
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a port held by another clawkeep gateway: one line naming port, pid, the exact stop command; exit 2', async () => {
    const homeA = join(dir, 'a');
    const a = await startGateway(homeA, ['--port', '0']);
    children.push(a.child);
    expect(a.url).toBeTruthy();
    const port = new URL(a.url!).port;
    for (const args of [
      ['gateway', 'run', '--port', port],
      ['gateway', 'start', '--port', port],
    ]) {
      const r = await runCli(join(dir, 'b'), args);
      expectOneLine(r);
      expect(r.stderr).toContain(
        `port ${port} is in use (pid ${a.child.pid}, the clawkeep gateway of ${homeA}); stop it with \`clawkeep --home ${homeA} gateway stop\` or pick another with --port`,
      );
    }
    a.child.kill('SIGINT');
    const end = await a.done;
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/Ctrl-C: stopping; no request in flight/);
    expect(end.stderr).toContain('gateway stopped');
  });

  it('a gateway started on another home by CLAWKEEP_HOME (no --home on its command line) is named, and the command given stops it', async () => {
    const homeA = join(dir, 'env-home');
    const child = startNode(CLI, ['gateway', 'run', '--port', '0'], { env: { CLAWKEEP_HOME: homeA } });
    children.push(child);
    const done = collect(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    for (let i = 0; i < 400 && !/listening on http/.test(err) && child.exitCode === null; i++)
      await sleep(25);
    const port = new URL(/listening on (http:\/\/[^ ]+)/.exec(err)![1]!).port;

    const r = await runCli(join(dir, 'b'), ['gateway', 'run', '--port', port]);
    expectOneLine(r);
    expect(r.stderr).toContain(`port ${port} is in use (pid ${child.pid}, the clawkeep gateway of ${homeA})`);
    const stop = /stop it with `([^`]+)`/.exec(r.stderr)?.[1];
    expect(stop).toBe(`clawkeep --home ${homeA} gateway stop`);
    const e = await runCli(join(dir, 'b'), ['emulator', '--port', port]);
    expect(e.stderr).toContain(`the clawkeep gateway of ${homeA}`);

    // The command it names is the one that works: run it (from yet another home's environment).
    const stopped = await runNode(CLI, stop!.split(' ').slice(1), { env: { CLAWKEEP_HOME: join(dir, 'b') } });
    expect(stopped.code).toBe(0);
    expect((await done).code).toBe(0);
  });

  it('the gateway tells its home only to loopback callers', async () => {
    const home = join(dir, 'who');
    const g = await startGateway(home, ['--port', '0']);
    children.push(g.child);
    const res = await fetch(`${g.url}/_clawkeep/gateway`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: 'clawkeep-gateway', pid: g.child.pid, home });
    g.child.kill('SIGTERM');
    await g.done;
  });

  it('a port held by another program names it; the emulator says the same', async () => {
    const held = await holdPort();
    servers.push(held.server);
    const r = await runCli(join(dir, 'h'), ['gateway', 'run', '--port', String(held.port)]);
    expectOneLine(r);
    expect(r.stderr).toContain(`port ${held.port} is in use (pid ${process.pid}, `);
    expect(r.stderr).toContain('pick another with --port');
    expect(r.stderr).not.toContain('gateway stop');
    const e = await runCli(join(dir, 'h'), ['emulator', '--port', String(held.port)]);
    expectOneLine(e);
    expect(e.stderr).toContain(`port ${held.port} is in use`);
  });

  it('--port beats CLAWKEEP_GATEWAY_PORT, which beats the config file', async () => {
    const byConfig = await holdPort();
    const byEnv = await holdPort();
    servers.push(byConfig.server, byEnv.server);
    const home = join(dir, 'p');
    await runCli(home, ['profiles', 'list']);
    writeFileSync(join(home, 'config.yaml'), `gateway:\n  port: ${byConfig.port}\n`);
    const fromConfig = await runCli(home, ['gateway', 'run']);
    expect(fromConfig.stderr).toContain(`port ${byConfig.port} is in use`);
    const env = { CLAWKEEP_GATEWAY_PORT: String(byEnv.port) };
    const fromEnv = await runCli(home, ['gateway', 'run'], { env });
    expect(fromEnv.stderr).toContain(`port ${byEnv.port} is in use`);
    const g = await startGateway(home, ['--port', '0', '--host', '127.0.0.1'], env);
    children.push(g.child);
    expect(g.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect([byConfig.port, byEnv.port]).not.toContain(Number(new URL(g.url!).port));
    g.child.kill('SIGTERM');
    await g.done;
  });

  it('bad --port and --host values are named', async () => {
    const r = await runCli(join(dir, 'x'), ['gateway', 'run', '--port', 'abc']);
    expectOneLine(r, true);
    expect(r.stderr).toContain('--port abc: expected a port number 0-65535');
    expect(r.stderr).toContain('hint: see: clawkeep --home');
    expect(r.stderr).toContain('gateway run --help');
    // Off loopback the gateway wants a client key first; with one, the bad address itself is named.
    const refused = await runCli(join(dir, 'x'), ['gateway', 'run', '--port', '0', '--host', '192.0.2.1']);
    expectOneLine(refused, true);
    expect(refused.stderr).toContain('no client key yet');
    await runCli(join(dir, 'x'), ['clients', 'add', 'remote-agent']);
    const h = await runCli(join(dir, 'x'), ['gateway', 'run', '--port', '0', '--host', '192.0.2.1']);
    expectOneLine(h, true);
    expect(h.stderr).toContain('cannot listen on 192.0.2.1');
    expect(h.stderr).toContain('--host');
  });

  it('logs JSON lines off a terminal and readable lines with --log-format pretty', async () => {
    const home = join(dir, 'l');
    // Every line is JSON off a terminal (the listening line among them); pretty lines read as text.
    for (const [args, check] of [
      [
        [],
        (lines: string[]) => {
          const parsed = lines.map((l) => JSON.parse(l) as { msg?: string });
          expect(parsed.some((l) => l.msg === 'gateway listening')).toBe(true);
        },
      ],
      [
        ['--log-format', 'pretty'],
        (lines: string[]) =>
          expect(lines.some((l) => /^\d\d:\d\d:\d\d INFO {2}gateway listening url=http/.test(l))).toBe(true),
      ],
    ] as const) {
      const g = await startGateway(home, ['--port', '0', ...args]);
      children.push(g.child);
      g.child.kill('SIGTERM');
      const r = await g.done;
      check(r.stdout.split('\n').filter(Boolean));
    }
  });
});
