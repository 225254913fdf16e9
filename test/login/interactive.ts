import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, collect, type RunResult } from '../helpers/processes.js';

/** A CLI process whose stdin stays open (for pasting) and whose output can be awaited. */
export interface Interactive {
  child: ChildProcess;
  done: Promise<RunResult>;
  output(): string;
  /** Waits until stdout+stderr match `re`; returns the match. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  paste(line: string): void;
}

export function startInteractive(home: string, args: string[], env: Record<string, string>): Interactive {
  const child = spawn(process.execPath, [CLI, '--home', home, ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = collect(child);
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return {
    child,
    done,
    output: () => text,
    async waitFor(re, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(text);
        if (m) return m;
        if (Date.now() > until || child.exitCode !== null) {
          throw new Error(`timed out waiting for ${re}; output so far:\n${text}`);
        }
        await sleep(20);
      }
    },
    paste(line) {
      child.stdin!.write(`${line}\n`);
    },
  };
}

/** The authorize URL the CLI printed. */
export async function authorizeUrlOf(p: Interactive): Promise<URL> {
  const m = await p.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/[a-z-]+\/oauth\/authorize\?\S+)/);
  return new URL(m[1]!);
}

/**
 * The scripted browser: asks the emulator's authorize endpoint (auto-approving as `email`) and
 * returns where it redirects, without following it.
 */
export async function authorizeInBrowser(url: URL, email: string): Promise<URL> {
  const u = new URL(url);
  u.searchParams.set('login_hint', email);
  const res = await fetch(u, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? '');
}

/** Follows the redirect into the CLI's callback server, as the browser would. */
export async function followRedirect(location: URL): Promise<{ status: number; body: string }> {
  const res = await fetch(location);
  return { status: res.status, body: await res.text() };
}

/** Holds a TCP port on 127.0.0.1 so the CLI finds it taken. */
export function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** A free TCP port on 127.0.0.1. */
export { freePort } from '../helpers/net.js';
