import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copyFixture } from '../doctor/helpers.js';
import { CLI, ROOT, runNode, startNode } from '../helpers/processes.js';

export const WRITER = join(ROOT, 'test/watch/runtime-writer.mjs');
export const READER = join(ROOT, 'test/watch/store-reader.mjs');

/** Starts `clawkeep watch` on a state dir (short settle time, rescan far away so events do the work). */
export function startGuardian(
  home: string,
  state: string,
  env: Record<string, string> = {},
  extra: string[] = [],
): ChildProcess {
  const child = startNode(
    CLI,
    [
      '--home',
      home,
      'watch',
      '--openclaw-home',
      state,
      '--settle-ms',
      '300',
      '--rescan-ms',
      '5000',
      ...extra,
    ],
    { env: { CLAWKEEP_FENCE_GRACE_MS: '0', ...env } },
  );
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

/** `startGuardian` with `/metrics` on a free loopback port; resolves with the URL it printed. */
export async function startMeteredGuardian(
  home: string,
  state: string,
  env: Record<string, string> = {},
  extra: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const child = startGuardian(home, state, env, ['--metrics-port', '0', ...extra]);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('close', () => reject(new Error(`guardian exited: ${err}`)));
  });
  return { child, url };
}

/** The value of one sample (`name{labels} value`) whose labels include all of `want`; 0 when absent. */
export function sample(text: string, name: string, want: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) return Number(line.split(' ').at(-1));
  }
  return 0;
}

export async function scrape(url: string): Promise<string> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return r.text();
}

/**
 * Passes over `home` that went through the whole dir (not cut short to wait for OpenClaw's files to
 * settle or its lock): once one has ended, whatever it was going to write or announce is written.
 */
export async function completedPasses(url: string, home: string): Promise<number> {
  const text = await scrape(url);
  return ['idle', 'repaired', 'announced', 'reconciled']
    .map((outcome) => sample(text, 'clawkeep_watch_passes_total', { home, outcome }))
    .reduce((a, b) => a + b, 0);
}

export function stopGuardian(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill(signal);
  });
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'clawkeep-watch-home-'));
}

/** The guardian's events in a clawkeep home (`data.source = 'watch'`). */
export function watchEvents(
  home: string,
): Array<{ at: number; kind: string; data: Record<string, unknown> }> {
  const path = join(home, 'clawkeep.sqlite');
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, timeout: 5000 });
  try {
    return (
      db.prepare('SELECT at, kind, data FROM events ORDER BY seq').all() as Array<{
        at: number;
        kind: string;
        data: string;
      }>
    )
      .map((r) => ({ at: r.at, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }))
      .filter((e) => e.data.source === 'watch');
  } finally {
    db.close();
  }
}

export async function waitFor(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await ok()) return;
    } catch {
      // not yet readable
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Runs the runtime writer; returns each rotation's heal time (null: not healed within `healTimeoutMs`).
 * Each rotation waits for its heal; the default deadline only bounds a failure (heal latency is the
 * bench's to measure: on a loaded machine ten guardians queueing for the doctor lock took over 10 s).
 */
export async function rotate(
  state: string,
  count: number,
  intervalMs: number,
  startK = 1,
  healTimeoutMs = 60_000,
) {
  const r = await runNode(WRITER, [
    state,
    String(count),
    String(intervalMs),
    String(startK),
    String(healTimeoutMs),
  ]);
  if (r.code !== 0) throw new Error(`runtime-writer failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { k: number; healedMs: number | null });
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

/** The refresh token (fake) the 2026.6 per-agent store of main holds. */
export function storeRefresh(state: string): string | null {
  const db = new Database(join(state, 'agents/main/agent/openclaw-agent.sqlite'), {
    readonly: true,
    timeout: 5000,
  });
  try {
    const row = db
      .prepare(`SELECT store_json AS j FROM auth_profile_store WHERE store_key = 'primary'`)
      .get() as { j: string } | undefined;
    const p = row
      ? (JSON.parse(row.j).profiles?.['openai:default'] as { refresh?: string } | undefined)
      : undefined;
    return p?.refresh ?? null;
  } finally {
    db.close();
  }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (iat: number) =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat, exp: iat + 864000, 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-fake-codex' } })}.fake-signature`;

/** A Codex CLI login of the fixtures' account (`$CODEX_HOME/auth.json`), issued at `iatSeconds`. */
export function writeCodexLogin(dir: string, refresh: string, iatSeconds: number): void {
  writeFileSync(
    join(dir, 'auth.json'),
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: {
        id_token: jwt(iatSeconds),
        access_token: jwt(iatSeconds),
        refresh_token: refresh,
        account_id: 'acct-fake-codex',
      },
      last_refresh: new Date(iatSeconds * 1000).toISOString(),
    }),
    { mode: 0o600 },
  );
}

/**
 * OpenClaw 2026.9.6's shared store (the fixture holds `openai-codex:default`; no leftover file) under a
 * guardian that has finished its first reconcile, which renames the login to `openai:default`.
 * The guardian is pushed onto `running` for the caller's afterEach to stop.
 */
export async function guardShared2026_9(running: ChildProcess[]) {
  const state = copyFixture('shared-2026.9');
  rmSync(join(state, 'agents/main/agent/auth-profiles.json'));
  const home = tempHome();
  const guardian = startGuardian(home, state);
  running.push(guardian);
  await waitFor('first reconcile', () => watchEvents(home).some((e) => e.data.cause === 'first_watch'));
  return { state, home, guardian };
}
