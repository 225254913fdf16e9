import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}bin/clawkeep.js`;
export const STORM_WORKER = `${ROOT}test/helpers/storm-worker.mjs`;
export const FREEZE_HOOK = `${ROOT}test/helpers/freeze-hook.mjs`;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  nodeArgs?: string[];
  uid?: number;
  gid?: number;
}

/** Starts `node [nodeArgs] script args` with a clean clawkeep environment. */
export function startNode(script: string, args: string[], o: RunOptions = {}): ChildProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...o.env };
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), script, ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(o.uid === undefined ? {} : { uid: o.uid }),
    ...(o.gid === undefined ? {} : { gid: o.gid }),
  });
  child.stdin!.end(o.input ?? '');
  return child;
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runNode(script: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  return collect(startNode(script, args, o));
}

/** Runs the built `clawkeep` CLI against a home. */
export function runCli(home: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  return runNode(CLI, ['--home', home, ...args], o);
}

/** The unprivileged user tests lock themselves out as (root reads everything). */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

/**
 * Why the built CLI cannot run as `nobody` here, or null when it can: that takes root, and a checkout
 * other users can read (one under a 0700 directory such as /root is closed to them). Printed by the
 * tests that skip for it.
 */
export function cannotRunAsNobody(): string | null {
  if (process.getuid?.() !== 0) return 'running the CLI as another user needs root (CI runs as root)';
  const r = spawnSync(
    process.execPath,
    ['-e', 'require("node:fs").accessSync(process.argv[1], 4)', CLI],
    NOBODY,
  );
  if (r.status === 0) return null;
  return `uid ${NOBODY.uid} cannot read ${CLI} (a parent directory is closed to other users): clone the repository where other users can read it to run this test`;
}
