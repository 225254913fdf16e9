import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../lifetime/processes.js';
import { freePort } from './net.js';
import { type RunResult, runCli } from './processes.js';

/** A login as the emulator mints it (the shape `profiles add-oauth` reads on stdin). */
export interface MintedLogin {
  access: string;
  refresh: string;
  accountId: string;
  [field: string]: unknown;
}

/**
 * The built CLI as a user runs it against the provider emulator: `clawkeep emulator` in one process,
 * a temporary home whose environment points at it, and `clawkeep gateway run` once the test has set
 * the home up. Every step is a child process; nothing is composed in the test's own process.
 */
export interface CliStack {
  home: string;
  /** The environment every `clawkeep` command of this home runs with (the emulator's endpoints). */
  env: Record<string, string>;
  emulatorUrl: string;
  /** Runs `clawkeep …` on the home; throws with its output unless it exits 0. */
  cli(args: string[], input?: string): Promise<RunResult>;
  /** Runs `clawkeep …` on the home and returns whatever happened. */
  run(args: string[], input?: string): Promise<RunResult>;
  /** Mints a login in the emulator and adds it to the home as `provider:name`. */
  addLogin(provider: 'openai-codex' | 'anthropic', name: string): Promise<MintedLogin>;
  /** POSTs JSON to an emulator control endpoint (`/_emulator/…`). */
  control(path: string, body: unknown): Promise<Response>;
  /** Starts `gateway run` on a free port; resolves once it listens. */
  startGateway(): Promise<{ url: string; process: CliProcess }>;
  stop(): Promise<void>;
}

export async function startCliStack(prefix: string): Promise<CliStack> {
  const home = mkdtempSync(join(tmpdir(), `clawkeep-${prefix}-`));
  const emulator = new CliProcess(['emulator', '--port', '0'], {});
  const emulatorUrl = (await emulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  await emulator.waitFor(/counters: /);
  const env: Record<string, string> = { CLAWKEEP_HOME: home };
  for (const m of emulator.out.matchAll(/export (CLAWKEEP_[A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
  const gateways: CliProcess[] = [];
  const run = (args: string[], input?: string) =>
    runCli(home, args, { env, ...(input === undefined ? {} : { input }) });
  const cli = async (args: string[], input?: string) => {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`clawkeep ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  };
  const control = (path: string, body: unknown) =>
    fetch(`${emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    home,
    env,
    emulatorUrl,
    cli,
    run,
    control,
    async addLogin(provider, name) {
      const login = (await (
        await control('/_emulator/mint', { provider, email: `${name}@example.test` })
      ).json()) as MintedLogin;
      await cli(['profiles', 'add-oauth', '--provider', provider, '--name', name], JSON.stringify(login));
      return login;
    },
    async startGateway() {
      const port = await freePort();
      const process = new CliProcess(['--home', home, 'gateway', 'run', '--port', String(port)], env);
      gateways.push(process);
      await process.waitFor(/clawkeep gateway listening on/);
      return { url: `http://127.0.0.1:${port}`, process };
    },
    async stop() {
      for (const g of gateways) await g.stop();
      await emulator.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
