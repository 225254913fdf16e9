import { type ChildProcess, spawn } from 'node:child_process';
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
