import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture } from '../doctor/helpers.js';
import { runCli } from '../helpers/processes.js';
import {
  completedPasses,
  rotate,
  sample,
  startMeteredGuardian,
  stopGuardian,
  storeRefresh,
  tempHome,
  waitFor,
  watchEvents,
  writeCodexLogin,
} from './helpers.js';

const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => stopGuardian(g)));
});

/** A metered guardian with no linked Codex login (unless `codex` names one). */
async function startWithMetrics(
  home: string,
  state: string,
  extra: string[] = [],
  codex = mkdtempSync(join(tmpdir(), 'clawkeep-codex-none-')),
): Promise<{ child: ChildProcess; url: string }> {
  const g = await startMeteredGuardian(home, state, { CODEX_HOME: codex }, extra);
  running.push(g.child);
  return g;
}

const scrape = async (url: string) => {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('text/plain');
  return r.text();
};

describe('clawkeep watch: metrics (real processes)', () => {
  it('counts passes and repairs by cause on /metrics and in the textfile', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    const prom = join(mkdtempSync(join(tmpdir(), 'clawkeep-prom-')), 'clawkeep_watch.prom');
    const { child, url } = await startWithMetrics(home, state, ['--metrics-file', prom]);
    await waitFor('first reconcile', () => watchEvents(home).some((e) => e.data.cause === 'first_watch'));
    await rotate(state, 3, 200);
    await waitFor('healed', () => storeRefresh(state) === 'fake-watch-refresh-3');
    // A pass writes the store, then records its repair events, then counts the pass: let the last one finish.
    const countSplits = () => watchEvents(home).filter((e) => e.data.code === 'split_store').length;
    let text = await scrape(url);
    for (
      let i = 0;
      i < 100 &&
      sample(text, 'clawkeep_watch_repairs_total', { home: state, cause: 'split_store' }) !== countSplits();
      i++
    ) {
      await sleep(50);
      text = await scrape(url);
    }
    expect(sample(text, 'clawkeep_watch_passes_total', { home: state, outcome: 'reconciled' })).toBe(1);
    expect(sample(text, 'clawkeep_watch_repairs_total', { home: state, cause: 'first_watch' })).toBe(1);
    const splits = countSplits();
    expect(splits).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'clawkeep_watch_repairs_total', { home: state, cause: 'split_store' })).toBe(splits);
    expect(sample(text, 'clawkeep_watch_passes_total', { home: state, outcome: 'repaired' })).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'clawkeep_watch_last_pass_timestamp_seconds', { home: state })).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(sample(text, 'clawkeep_watch_watched_dirs')).toBeGreaterThan(2);
    expect(sample(text, 'clawkeep_watch_needs_person')).toBe(0);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    await stopGuardian(child);
    // A graceful stop (not killed by a re-raised signal halfway through it).
    expect([child.exitCode, child.signalCode]).toEqual([0, null]);
    // Flushed on stop: node_exporter's textfile collector sees the same counts.
    const file = readFileSync(prom, 'utf8');
    expect(sample(file, 'clawkeep_watch_repairs_total', { home: state, cause: 'split_store' })).toBe(splits);
  }, 90_000);

  it('a re-auth is announced once per cause: counted once, not again after a restart, and leaves the gauge once resolved', async () => {
    // OpenClaw 2026.9.6's own refresh fence, abandoned, with no fresher copy anywhere: re-auth required.
    const state = copyFixture('fence-2026.9');
    const home = tempHome();
    const codex = mkdtempSync(join(tmpdir(), 'clawkeep-codex-'));
    let g = await startWithMetrics(home, state, [], codex);
    await waitFor('re-auth announced', () => watchEvents(home).some((e) => e.kind === 'reauth_required'));
    let text = await scrape(g.url);
    expect(sample(text, 'clawkeep_watch_announcements_total', { home: state, code: 'refresh_fence' })).toBe(
      1,
    );
    expect(sample(text, 'clawkeep_watch_needs_person')).toBe(1);
    await stopGuardian(g.child);

    g = await startWithMetrics(home, state, [], codex);
    // Once the restarted guardian has been through the whole dir, an announcement would be counted.
    const url = g.url;
    await waitFor('a pass of the restarted guardian', async () => (await completedPasses(url, state)) > 0);
    text = await scrape(g.url);
    // Read back from the store: still one cause needing a person, and nothing announced again.
    expect(sample(text, 'clawkeep_watch_needs_person')).toBe(1);
    expect(sample(text, 'clawkeep_watch_announcements_total', { code: 'refresh_fence' })).toBe(0);
    expect(sample(text, 'clawkeep_watch_passes_total', { home: state })).toBeGreaterThan(0);
    expect(watchEvents(home).filter((e) => e.kind === 'reauth_required')).toHaveLength(1);

    // Codex CLI logs the account in afresh: the guardian recovers the fence, and nothing needs a person.
    writeCodexLogin(codex, 'fake-codex-refresh-9', Math.floor(Date.now() / 1000) + 5);
    await waitFor('fence recovered', () =>
      watchEvents(home).some((e) => e.kind === 'repaired' && e.data.code === 'fence_recoverable'),
    );
    let gauge = 1;
    for (let i = 0; i < 100 && gauge !== 0; i++) {
      gauge = sample(await scrape(g.url), 'clawkeep_watch_needs_person');
      if (gauge !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gauge).toBe(0);
    expect(watchEvents(home).filter((e) => e.kind === 'reauth_required')).toHaveLength(1);
  }, 90_000);

  it('bad metrics flags are usage errors naming the flag', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    const port = await runCli(home, ['watch', '--openclaw-home', state, '--metrics-port', 'x']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--metrics-port x: expected a port number');
    const file = await runCli(home, ['watch', '--openclaw-home', state, '--metrics-file', '/tmp/m.txt']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('--metrics-file /tmp/m.txt: expected a path ending in .prom');
    expect(existsSync('/tmp/m.txt')).toBe(false);
  });
});
