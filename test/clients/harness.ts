import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectClient } from '../../src/clients/connect.js';
import { connectorFor } from '../../src/clients/registry.js';
import type { ClientApi } from '../../src/clients/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  type ClientName,
  clientEnv,
  missingReason,
  oneShot,
  quietSettings,
  type RunResult,
  runClient,
} from './clients.js';

/** The prompts: plain text, and one the emulated model answers with a call of the first tool. */
export const PROMPTS = {
  text: 'Say hello in five words.',
  tool: 'Please use tool to list the files here.',
} as const;

/** A request as the emulator recorded it (`GET /_emulator/requests`). */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status?: number;
}

export interface ClientCase {
  client: ClientName;
  /** Wire API the client is connected with (default: the connector's first). */
  api?: ClientApi;
  /** Default chain of the client key. */
  chain: string | null;
  /** `connect --model`: what the client asks for; undefined keeps the client's own default model. */
  model?: string;
  prompt: keyof typeof PROMPTS;
}

export interface CaseResult extends RunResult {
  /** What reached the emulator during the run, or null when the emulator does not record requests. */
  upstream: UpstreamRequest[] | null;
  command: string;
  configText: string;
}

/** The emulator's model endpoint for each provider, as recorded (query stripped). */
export const UPSTREAM_PATHS = {
  'openai-codex': '/openai-codex/backend-api/codex/responses',
  anthropic: '/anthropic/v1/messages',
  openai: '/openai/v1/',
} as const;

/** Null when `client` is installed; throws otherwise (the suite never skips a client). */
export function skipReason(client: ClientName): string | null {
  const reason = missingReason(client);
  // The tests' prepare step (test/setup/prepare.ts) installs every client: a missing one is a failure.
  if (reason)
    throw new Error(`test/clients ${client}: ${reason}: run npm run test:prepare (npm test runs it first)`);
  return reason;
}

/** The emulator + gateway of test/helpers/gateway.ts (Codex and Claude logins, API keys, chains). */
export async function startGatewayForClients(): Promise<TestGateway> {
  return startTestGateway();
}

async function upstreamRequests(emulatorUrl: string): Promise<UpstreamRequest[] | null> {
  const res = await fetch(`${emulatorUrl}/_emulator/requests`);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`GET /_emulator/requests: ${res.status}`);
  const body = (await res.json()) as { requests: UpstreamRequest[] };
  return body.requests.map((r) => ({ ...r, path: r.path.split('?')[0] ?? r.path }));
}

async function clearUpstream(emulatorUrl: string): Promise<void> {
  await fetch(`${emulatorUrl}/_emulator/requests`, { method: 'DELETE' });
}

/**
 * Runs one case the way a user would: a fresh HOME, the client's own config written by
 * `clawkeep connect` (merged into a config that already holds other settings), a new client key,
 * then the real client's one-shot command against the gateway.
 */
export async function runCase(tg: TestGateway, c: ClientCase): Promise<CaseResult> {
  const home = mkdtempSync(join(tmpdir(), `clawkeep-e2e-${c.client}-`));
  try {
    const env = clientEnv(c.client, home);
    const quiet = quietSettings(c.client, home);
    if (quiet) {
      mkdirSync(dirname(quiet.path), { recursive: true });
      writeFileSync(quiet.path, quiet.text);
    }
    const connector = connectorFor(c.client);
    const path = connector.configPath(env, home);
    const connected = await connectClient(tg.store, join(home, 'clawkeep-records'), {
      connector,
      path,
      gatewayUrl: tg.gateway.url,
      ...(c.api ? { api: c.api } : {}),
      ...(c.model ? { model: c.model } : {}),
      chain: c.chain,
    });
    const configText = readFileSync(path, 'utf8').split(connected.key).join('<key>');
    await clearUpstream(tg.emulator.url);
    const run = oneShot(
      c.client,
      home,
      env,
      PROMPTS[c.prompt],
      c.client === 'pi' ? (c.model ?? 'default') : undefined,
    );
    const result = await runClient(run, 150_000);
    const upstream = await upstreamRequests(tg.emulator.url);
    const scrub = (s: string) => s.split(connected.key).join('<key>');
    return {
      code: result.code,
      stdout: scrub(result.stdout),
      stderr: scrub(result.stderr),
      upstream,
      command: run.display,
      configText,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The requests that reached `provider`'s model endpoint. */
export function requestsTo(r: CaseResult, provider: keyof typeof UPSTREAM_PATHS): UpstreamRequest[] {
  return (r.upstream ?? []).filter((u) => u.path.startsWith(UPSTREAM_PATHS[provider]));
}

/** True when a request carries a tool result back to the model (any wire API). */
export function carriesToolResult(body: unknown): boolean {
  const text = JSON.stringify(body ?? null);
  return (
    text.includes('"function_call_output"') ||
    text.includes('"tool_result"') ||
    text.includes('"role":"tool"')
  );
}

/** A readable failure message: the command, exit code and the tail of the client's output. */
export function describeRun(r: CaseResult): string {
  return [
    `$ ${r.command}`,
    `exit ${r.code}`,
    `stdout: ${r.stdout.slice(-1500)}`,
    `stderr: ${r.stderr.slice(-2500)}`,
    `config: ${r.configText.slice(0, 1500)}`,
    `upstream: ${r.upstream === null ? '(not recorded)' : r.upstream.map((u) => `${u.method} ${u.path} ${u.status ?? ''}`).join(', ')}`,
  ].join('\n');
}
