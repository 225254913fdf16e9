import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, collect, runCli, startNode } from '../helpers/processes.js';

describe('clawkeep emulator and events --follow as processes', () => {
  let home: string;
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-emu-cli-')), 'home');
  });
  afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  it('emulator prints its URL and env, serves counters, and stops on SIGTERM', async () => {
    const child = startNode(CLI, ['emulator', '--port', '0', '--reuse', 'grace:5', '--access-ttl', '60']);
    const done = collect(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    for (let i = 0; i < 200 && !out.includes('counters:'); i++) await sleep(25);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url).toBeTruthy();
    expect(out).toContain(`export CLAWKEEP_OPENAI_CODEX_TOKEN_URL=${url}/`);
    const stats = (await (await fetch(`${url}/_emulator/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ reuseHits: 0 });
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });

  it('rejects a bad --reuse value naming the accepted forms', async () => {
    const r = await runCli(home, ['emulator', '--port', '0', '--reuse', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sometimes');
    expect(r.stderr).toMatch(/strict/);
  });

  it('events --follow prints events appended by other processes', async () => {
    expect(
      (
        await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'a'], {
          input: 'fake-key-a',
        })
      ).code,
    ).toBe(0);
    const follower = startNode(CLI, ['--home', home, 'events', '--follow', '--json']);
    const done = collect(follower);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    for (let i = 0; i < 200 && !out.includes('created'); i++) await sleep(25);
    expect((await runCli(home, ['profiles', 'disable', 'openai:a'])).code).toBe(0);
    expect((await runCli(home, ['profiles', 'rm', 'openai:a', '--yes'])).code).toBe(0);
    for (let i = 0; i < 200 && !out.includes('removed'); i++) await sleep(25);
    follower.kill('SIGINT');
    await done;
    const kinds = out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(['created', 'disabled', 'removed']);
  });
});
