import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { CLI, collect, runCli, startNode } from '../helpers/processes.js';

describe('gateway lifecycle as processes', () => {
  let home: string;
  let port: number;
  beforeEach(async () => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-life-')), 'home');
    port = await freePort();
    expect((await runCli(home, ['profiles', 'list'])).code).toBe(0);
    writeFileSync(join(home, 'config.yaml'), `gateway:\n  port: ${port}\n  shutdownGraceMs: 2000\n`);
  });
  afterEach(async () => {
    await runCli(home, ['gateway', 'stop']);
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it('start, status, a second gateway on the same home refused with the first pid, stop', async () => {
    const started = await runCli(home, ['gateway', 'start']);
    expect(started.code, started.stderr).toBe(0);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    const status = await runCli(home, ['gateway', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      running: true,
      healthy: true,
      pid,
      url: `http://127.0.0.1:${port}`,
    });
    const second = await runCli(home, ['gateway', 'run']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`pid ${pid}`);
    const again = await runCli(home, ['gateway', 'start']);
    expect(again.code).toBe(2);
    const stopped = await runCli(home, ['gateway', 'stop']);
    expect(stopped.stdout).toContain(`stopped (pid ${pid})`);
    expect((await runCli(home, ['gateway', 'status'])).code).toBe(1);
  });

  it('foreground run says what to do next, requires client keys, and stops gracefully on SIGTERM', async () => {
    const child = startNode(CLI, ['--home', home, 'gateway', 'run']);
    const done = collect(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    for (let i = 0; i < 200 && !err.includes(`next: clawkeep --home ${home} clients add`); i++)
      await sleep(25);
    expect(err).toContain(`listening on http://127.0.0.1:${port}`);
    expect(err).toContain(`clawkeep --home ${home} models auth login`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
  });

  it('config check names the key path and the expected value', async () => {
    writeFileSync(
      join(home, 'config.yaml'),
      'gateway:\n  port: "eighty"\nchains:\n  main: ["no-slash"]\ndefaultChain: other\n',
    );
    const r = await runCli(home, ['config', 'check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('gateway.port');
    expect(r.stdout).toContain('chains.main.0');
    const run = await runCli(home, ['gateway', 'run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(home, 'config.yaml'));
  });

  it('clients add prints a key once; list shows only its prefix', async () => {
    const add = await runCli(home, ['clients', 'add', 'agent-1']);
    expect(add.code).toBe(0);
    const key = add.stdout.trim();
    expect(key).toMatch(/^ck_/);
    const list = await runCli(home, ['clients', 'list', '--json']);
    expect(list.stdout).not.toContain(key);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'agent-1', keyPrefix: key.slice(0, 8) }]);
    expect((await runCli(home, ['clients', 'add', 'agent-1'])).code).toBe(2);
    expect((await runCli(home, ['clients', 'add', 'x', '--chain', 'nope'])).stderr).toContain(
      'no such chain',
    );
  });
});
