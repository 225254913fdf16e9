import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { type PidRecord, readRunning } from '../runtime/pidfile.js';
import { invokedAs } from '../util/invoked-as.js';
import { isPidAlive } from '../util/pid.js';

export const LOG_FILE = 'gateway.log';

/**
 * Starts `node <cli> --home <home> gateway run <args>` detached, logging to `<home>/gateway.log`,
 * and waits until it serves: it has claimed the pid file with the address it listens on (port 0 is
 * rewritten to the real one once bound) and answers `/healthz`. Fails with the log's last lines if it
 * does not come up.
 */
export async function startDetached(o: {
  home: string;
  cli: string;
  args: string[];
  listen: string;
  timeoutMs?: number;
}): Promise<PidRecord & { logPath: string }> {
  const running = readRunning(o.home);
  if (running)
    throw new ClawkeepError('gateway_running', `already running (pid ${running.pid}, ${running.url})`, {
      hint: `stop it with: ${invokedAs()} gateway stop`,
      details: { pid: running.pid, url: running.url },
    });
  mkdirSync(o.home, { recursive: true, mode: 0o700 });
  const logPath = join(o.home, LOG_FILE);
  const fd = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, [o.cli, '--home', o.home, 'gateway', 'run', ...o.args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  child.unref();
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const rec = readRunning(o.home);
    if (rec && rec.pid === child.pid && (await serves(rec.url))) return { ...rec, logPath };
    if (child.exitCode !== null || !isPidAlive(child.pid!)) break;
    await sleep(100);
  }
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
  throw new ClawkeepError(
    'gateway_not_running',
    `the gateway did not come up on ${o.listen}; last log lines:\n${tail}`,
    { hint: `see ${logPath}` },
  );
}

/**
 * Whether a gateway answers HTTP on `url` (any status: a Host check may refuse this probe) and `url`
 * is not the port-0 placeholder claimed before it was bound.
 */
async function serves(url: string): Promise<boolean> {
  if (/:0$/.test(url)) return false;
  return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
}

/** SIGTERM, then SIGKILL after the shutdown grace period (+5 s). Returns the stopped pid, or null. */
export async function stopGateway(home: string): Promise<number | null> {
  const rec = readRunning(home);
  if (!rec) return null;
  const { config } = loadConfig(home);
  process.kill(rec.pid, 'SIGTERM');
  const deadline = Date.now() + config.gateway.shutdownGraceMs + 5000;
  while (isPidAlive(rec.pid) && Date.now() < deadline) await sleep(100);
  if (isPidAlive(rec.pid)) process.kill(rec.pid, 'SIGKILL');
  return rec.pid;
}

export interface GatewayStatus {
  running: boolean;
  healthy: boolean;
  pid: number | null;
  url: string | null;
  startedAt: number | null;
}

/** Is a gateway running on this home, and does it answer `/healthz` within 2 s. */
export async function gatewayStatus(home: string): Promise<GatewayStatus> {
  const rec = readRunning(home);
  const healthy = rec
    ? await fetch(`${rec.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      )
    : false;
  return {
    running: Boolean(rec),
    healthy,
    pid: rec?.pid ?? null,
    url: rec?.url ?? null,
    startedAt: rec?.startedAt ?? null,
  };
}
