import type { ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, FIXTURES, hasOpenClaw, openclawSees, sha16 } from '../doctor/helpers.js';
import { collect, startNode } from '../helpers/processes.js';
import {
  percentile,
  READER,
  rotate,
  sample,
  scrape,
  startGuardian,
  startMeteredGuardian,
  stopGuardian,
  storeRefresh,
  tempHome,
  waitFor,
  watchEvents,
} from './helpers.js';

const LIVE_FIXTURE = 'fake-codex-refresh-2';
const running: ChildProcess[] = [];
const guardian = (home: string, state: string) => {
  const g = startGuardian(home, state);
  running.push(g);
  return g;
};

const stopAll = () => Promise.all(running.splice(0).map((g) => stopGuardian(g)));
afterEach(stopAll);

/** Every token the writer produced is in the store or kept in a file of the agent dir (never lost). */
function assertNothingLost(state: string, upTo: number): void {
  const dir = join(state, 'agents/main/agent');
  const kept = readdirSync(dir)
    .filter((n) => n.endsWith('.bak') || n === 'auth-profiles.json')
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('\n');
  const inStore = storeRefresh(state) ?? '';
  for (let k = 1; k <= upTo; k++) {
    const t = `fake-watch-refresh-${k}`;
    expect(inStore === t || kept.includes(`"${t}"`), `token ${k} kept somewhere`).toBe(true);
  }
}

function report(label: string, heals: Array<{ healedMs: number | null }>): void {
  const ms = heals.map((h) => h.healedMs ?? Number.NaN);
  console.log(
    `${label}: ${heals.length} divergences, healed in p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`,
  );
}

describe('clawkeep watch (real processes)', () => {
  beforeAll(() => {
    // The guardian runs the built CLI.
    expect(readdirSync(join(FIXTURES, 'split-2026.6'))).toContain('agents');
  });

  it('heals each divergence a runtime writes into the leftover file, and never loses a token', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    guardian(home, state);
    // First use: the guardian reconciles the whole dir (the fixture's split) once.
    await waitFor('first reconcile', () => storeRefresh(state) === LIVE_FIXTURE);
    await waitFor('first_watch event', () => watchEvents(home).some((e) => e.data.cause === 'first_watch'));
    const reader = collect(
      startNode(READER, [join(state, 'agents/main/agent/openclaw-agent.sqlite'), '5000']),
    );
    const heals = await rotate(state, 15, 150);
    const seen = JSON.parse((await reader).stdout) as { reads: number; regressions: number; last: number };
    report('1 guardian', heals);
    expect(heals.every((h) => h.healedMs !== null)).toBe(true);
    expect(seen.regressions).toBe(0);
    expect(seen.reads).toBeGreaterThan(50);
    expect(storeRefresh(state)).toBe('fake-watch-refresh-15');
    assertNothingLost(state, 15);
    const repairs = watchEvents(home).filter((e) => e.kind === 'repaired' && e.data.code === 'split_store');
    expect(repairs.length).toBeGreaterThanOrEqual(1);
    if (hasOpenClaw('2026.6.9')) {
      await waitFor(
        'leftover archived',
        () => !readdirSync(join(state, 'agents/main/agent')).includes('auth-profiles.json'),
      );
      expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(
        sha16('fake-watch-refresh-15'),
      );
    }
  }, 90_000);

  it('ten guardians on one state dir behave as one', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    for (let i = 0; i < 10; i++) guardian(home, state);
    await waitFor(
      'first reconcile',
      () => watchEvents(home).some((e) => e.data.cause === 'first_watch'),
      60_000,
    );
    const heals = await rotate(state, 10, 250);
    report('10 guardians', heals);
    expect(heals.every((h) => h.healedMs !== null)).toBe(true);
    expect(storeRefresh(state)).toBe('fake-watch-refresh-10');
    // A pass that starts now finds nothing to heal; stopping lets every pass under way finish and
    // write its events, and nothing after it can write any.
    await stopAll();
    const events = watchEvents(home);
    // One first reconcile, and each fresher token written into the store once, whichever guardian did it.
    expect(events.filter((e) => e.data.cause === 'first_watch').length).toBe(1);
    const splitFps = events
      .filter((e) => e.data.code === 'split_store')
      .map((e) => (e.data.fingerprints as Record<string, string>).fresher);
    expect(new Set(splitFps).size).toBe(splitFps.length);
    assertNothingLost(state, 10);
  }, 180_000);

  it('a version transition mid-run is reconciled exactly once, after OpenClaw’s migration lock is gone', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    const urls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const g = await startMeteredGuardian(home, state);
      running.push(g.child);
      urls.push(g.url);
    }
    const busyPasses = async () =>
      Promise.all(
        urls.map(async (u) => sample(await scrape(u), 'clawkeep_watch_passes_total', { outcome: 'busy' })),
      );
    await waitFor(
      'first reconcile',
      () => watchEvents(home).some((e) => e.data.cause === 'first_watch'),
      60_000,
    );
    await rotate(state, 3, 100);
    // OpenClaw upgrades to 2026.9: it holds its lock while it migrates, swapping in the next layout.
    const lockDir = join(state, 'locks');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(
      join(lockDir, 'migration.lock'),
      JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }),
    );
    const next = join(FIXTURES, 'shared-2026.9');
    for (const rel of ['state/openclaw.sqlite', 'agents/work/agent/openclaw-agent.sqlite']) {
      copyFileSync(join(next, rel), join(state, `${rel}.swap`));
      renameSync(join(state, `${rel}.swap`), join(state, rel));
      await new Promise((r) => setTimeout(r, 400));
    }
    // Every guardian has since been through a whole pass that found OpenClaw busy (the second one ended
    // after the swap, so it began after it too): none may have reconciled the new layout under the lock.
    const swapped = await busyPasses();
    await waitFor('a busy pass of each guardian after the swap', async () =>
      (await busyPasses()).every((n, i) => n >= swapped[i]! + 2),
    );
    expect(watchEvents(home).filter((e) => e.data.cause === 'version_transition')).toEqual([]);
    const unlockedAt = Date.now();
    rmSync(join(lockDir, 'migration.lock'));
    await waitFor('transition reconciled', () =>
      watchEvents(home).some((e) => e.data.cause === 'version_transition'),
    );
    // A pass that starts now finds the marker of the new version; stopping lets those under way finish.
    await stopAll();
    const transitions = watchEvents(home).filter((e) => e.data.cause === 'version_transition');
    expect(transitions.length).toBe(1);
    expect(transitions[0]!.at).toBeGreaterThanOrEqual(unlockedAt);
    expect(String(transitions[0]!.data.to)).toContain('app 2026.9.6');
    if (hasOpenClaw('2026.9.6')) {
      // The main agent now reads the shared store: the live token written by the runtime is there, under
      // openai:default (the reconcile also renamed the layout's retired openai-codex:default, provider-rename).
      const sees = openclawSees('2026.9.6', state, 'main');
      expect(sees['openai-codex:default']).toBeUndefined();
      expect(sees['openai:default']?.refresh).toBe(sha16('fake-watch-refresh-3'));
    }
  }, 120_000);

  it('kill -9 of the guardian at random points leaves every store readable with the live token', async () => {
    const state = copyFixture('split-2026.6');
    const home = tempHome();
    let k = 0;
    for (let round = 0; round < 5; round++) {
      const g = startGuardian(home, state);
      running.push(g);
      const writes = rotate(state, 4, 60, k + 1, 1500);
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 400)));
      await stopGuardian(g, 'SIGKILL');
      await writes.catch(() => undefined);
      k += 4;
      // Readable right after the kill, holding the fixture's token (killed before its first pass) or one
      // the writer produced; never a torn or emptied store.
      const now = storeRefresh(state);
      expect(now).toMatch(/^(fake-codex-refresh-[12]|fake-watch-refresh-\d+)$/);
      if (hasOpenClaw('2026.6.9'))
        expect(openclawSees('2026.6.9', state, 'main')['openai:default']).toBeTruthy();
    }
    // A guardian started again heals what was written while none ran.
    guardian(home, state);
    // (Tokens the runtime itself overwrote while no guardian ran are its own business: the live one counts.)
    await waitFor('healed after restart', () => storeRefresh(state) === `fake-watch-refresh-${k}`);
    if (hasOpenClaw('2026.6.9')) {
      await waitFor(
        'leftover archived',
        () => !readdirSync(join(state, 'agents/main/agent')).includes('auth-profiles.json'),
      );
      expect(openclawSees('2026.6.9', state, 'main')['openai:default']?.refresh).toBe(
        sha16(`fake-watch-refresh-${k}`),
      );
    }
  }, 180_000);
});
