import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBinary, missingReason, NODE24_BIN } from '../clients/clients.js';
import { freePort } from '../helpers/net.js';
import { runCli } from '../helpers/processes.js';
import { CliProcess } from '../lifetime/processes.js';

interface Minted {
  access: string;
  refresh: string;
  accountId: string;
}

/*
 * The fields Codex CLI decodes from `GET <chatgpt_base_url>/wham/usage` and their JSON types: openai/codex
 * codex-rs/codex-backend-openapi-models/src/models/rate_limit_{status_payload,status_details,window_snapshot}.rs
 * (commit 0396dc5ccc76), read by codex-rs/backend-client/src/client.rs `get_rate_limits_many` (commit
 * 01e357537f8a); `int` is their i32.
 */
const PAYLOAD = { plan_type: 'string', rate_limit: 'object' } as const;
const RATE_LIMIT = {
  allowed: 'boolean',
  limit_reached: 'boolean',
  primary_window: 'object',
  secondary_window: 'object',
} as const;
const WINDOW = {
  used_percent: 'int',
  limit_window_seconds: 'int',
  reset_after_seconds: 'int',
  reset_at: 'int',
} as const;

function expectFields(obj: unknown, shape: Record<string, string>): void {
  const o = obj as Record<string, unknown>;
  for (const [field, type] of Object.entries(shape)) {
    const v = o[field];
    const got = type === 'int' ? (Number.isInteger(v) ? 'int' : typeof v) : v === null ? 'null' : typeof v;
    expect(got, `${field}`).toBe(type);
  }
}

/**
 * Limits where the agents look, through the built CLI against the emulator: the gateway polls idle
 * logins' windows (so `models status` has a reading for every login), serves Codex CLI's
 * `wham/usage` to a client key and to a Codex login it holds, and the real Codex CLI reads its
 * `/status` limits from it.
 */
describe('usage windows where the agents look (built CLI, emulator)', () => {
  let home: string;
  let env: Record<string, string>;
  let emulator: CliProcess;
  let gateway: CliProcess;
  let url: string;
  let key: string;
  const minted: Record<string, Minted> = {};

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(home, args, { env, ...(input === undefined ? {} : { input }) });
    if (r.code !== 0) throw new Error(`clawkeep ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const usage = (path: string, headers: Record<string, string>) => fetch(`${url}${path}`, { headers });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-codex-usage-'));
    emulator = new CliProcess(['emulator', '--port', '0'], {});
    const [, emuUrl] = (await emulator.waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
    await emulator.waitFor(/counters: /);
    env = { CLAWKEEP_HOME: home };
    for (const m of emulator.out.matchAll(/export (CLAWKEEP_[A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
    const logins = [
      ['openai-codex', 'a', 70],
      ['openai-codex', 'b', 20],
      ['anthropic', 'c', 45],
    ] as const;
    for (const [provider, name, percent] of logins) {
      const post = (path: string, body: unknown) =>
        fetch(`${emuUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const login = (await (
        await post('/_emulator/mint', { provider, email: `${name}@example.test` })
      ).json()) as Minted;
      minted[`${provider}:${name}`] = login;
      await post('/_emulator/quotas', { provider, accountId: login.accountId, primaryPercent: percent });
      await cli(['profiles', 'add-oauth', '--provider', provider, '--name', name], JSON.stringify(login));
    }
    key = (await cli(['clients', 'add', 'agent'])).trim();
    const port = await freePort();
    writeFileSync(join(home, 'config.yaml'), `gateway:\n  port: ${port}\n`);
    url = `http://127.0.0.1:${port}`;
    gateway = new CliProcess(['--home', home, 'gateway', 'run', '--port', String(port)], env);
    await gateway.waitFor(/clawkeep gateway listening on/);
    // No traffic yet: the readings below come from the gateway's poll of the usage endpoints.
    await gateway.waitFor(/usage poll read 3 idle login/);
  });
  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('models status has a reading for every login, from the usage endpoints, before any traffic', async () => {
    const rows = JSON.parse(await cli(['models', 'status', '--json'])) as Array<{
      id: string;
      quota: {
        windows: Array<{ window: string; usedPercent: number; windowMinutes: number; resetAt: string }>;
      } | null;
    }>;
    const windows = Object.fromEntries(rows.map((r) => [r.id, r.quota?.windows ?? []]));
    expect(windows['openai-codex:a']).toContainEqual(
      expect.objectContaining({ window: 'primary', usedPercent: 70, windowMinutes: 300 }),
    );
    expect(windows['openai-codex:b']).toContainEqual(
      expect.objectContaining({ window: 'primary', usedPercent: 20 }),
    );
    expect(windows['anthropic:c']).toContainEqual(
      expect.objectContaining({ window: '5h', usedPercent: 45, windowMinutes: 300 }),
    );
    for (const w of Object.values(windows).flat()) expect(Date.parse(w.resetAt)).toBeGreaterThan(Date.now());
    const table = await cli(['models', 'status']);
    expect(table).toMatch(/openai-codex:a .*primary 70% of 5h, resets/);
  });

  it("wham/usage to a client key: its pool's figures, field by field in the shape Codex CLI decodes", async () => {
    const res = await usage('/backend-api/wham/usage', { authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    // A pool answers 429 only when every login is used up: the login with the most headroom is reported.
    expect(res.headers.get('x-clawkeep-usage-profile')).toBe('openai-codex:b');
    const body = (await res.json()) as { rate_limit: { primary_window: Record<string, number> } };
    expectFields(body, PAYLOAD);
    expectFields(body.rate_limit, RATE_LIMIT);
    expectFields(body.rate_limit.primary_window, WINDOW);
    expectFields((body.rate_limit as Record<string, unknown>).secondary_window, WINDOW);
    expect(body).toMatchObject({
      plan_type: 'plus',
      rate_limit: {
        allowed: true,
        limit_reached: false,
        primary_window: { used_percent: 20, limit_window_seconds: 18_000 },
        secondary_window: { used_percent: 0, limit_window_seconds: 604_800 },
      },
    });
    const w = body.rate_limit.primary_window;
    expect(w.reset_at! - Math.floor(Date.now() / 1000) - w.reset_after_seconds!).toBeLessThanOrEqual(2);
    // The other path style (a chatgpt_base_url without /backend-api) answers the same.
    // (`reset_after_seconds` counts down between the two answers: a second may pass.)
    const other = await usage('/api/codex/usage', { authorization: `Bearer ${key}` });
    const countdownless = (b: unknown) =>
      JSON.parse(JSON.stringify(b), (k, v) => (k === 'reset_after_seconds' ? undefined : v)) as unknown;
    expect(countdownless(await other.json())).toEqual(countdownless(body));
  });

  it('wham/usage refuses a missing or made-up key in the OpenAI error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer ck-made-up' }] as Array<Record<string, string>>) {
      const res = await usage('/backend-api/wham/usage', headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_client_key' } });
    }
  });

  it.skipIf(missingReason('codex') !== null)(
    "the real Codex CLI, connected by 'clawkeep connect codex' and signed in with a login clawkeep holds, reads its /status limits from the gateway",
    { timeout: 60_000 },
    async () => {
      const codexHome = join(home, 'codex-home');
      mkdirSync(codexHome, { recursive: true });
      const r = await runCli(home, ['connect', 'codex', '--limits'], {
        env: { ...env, CODEX_HOME: codexHome },
      });
      expect(r.code, r.stderr).toBe(0);
      const config = readFileSync(join(codexHome, 'config.toml'), 'utf8');
      expect(config).toContain(`chatgpt_base_url = "${url}/backend-api/"`);
      // Codex's own ChatGPT login, as clawkeep imported it: its tokens are login a's.
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const a = minted['openai-codex:a']!;
      const claims = {
        'https://api.openai.com/auth': { chatgpt_account_id: a.accountId, chatgpt_plan_type: 'plus' },
      };
      const idToken = `${b64({ alg: 'none' })}.${b64({ email: 'a@example.test', ...claims })}.x`;
      writeFileSync(
        join(codexHome, 'auth.json'),
        JSON.stringify({
          auth_mode: 'chatgpt',
          OPENAI_API_KEY: null,
          tokens: {
            id_token: idToken,
            access_token: a.access,
            refresh_token: a.refresh,
            account_id: a.accountId,
          },
          last_refresh: new Date().toISOString(),
        }),
      );
      const result = await readRateLimits(codexHome, home);
      expect(result.error, JSON.stringify(result)).toBeUndefined();
      // Login a's own windows: the request carried a's access token, not a client key.
      expect(result.result?.rateLimits).toMatchObject({
        limitId: 'codex',
        planType: 'plus',
        primary: { usedPercent: 70, windowDurationMins: 300 },
        secondary: { usedPercent: 0, windowDurationMins: 10_080 },
      });
    },
  );

  /** `codex app-server`'s `account/rateLimits/read` (what its TUI's /status shows), over stdio JSON-RPC. */
  async function readRateLimits(
    codexHome: string,
    userHome: string,
  ): Promise<{ result?: { rateLimits: unknown }; error?: unknown }> {
    const child: ChildProcess = spawn(clientBinary('codex'), ['app-server'], {
      env: {
        PATH: `${NODE24_BIN}:/usr/bin:/bin`,
        HOME: userHome,
        CODEX_HOME: codexHome,
        TMPDIR: tmpdir(),
        LANG: 'C.UTF-8',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const send = (o: unknown) => child.stdin!.write(`${JSON.stringify(o)}\n`);
    const answer = new Promise<{ result?: { rateLimits: unknown }; error?: unknown }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { id?: number; result?: { rateLimits: unknown }; error?: unknown };
        if (msg.id === 2) resolve(msg);
      });
      child.once('exit', (code) => reject(new Error(`codex app-server exited ${code}`)));
    });
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        clientInfo: { name: 'clawkeep-test', title: null, version: '0' },
        capabilities: { experimentalApi: true, requestAttestation: false },
      },
    });
    send({ jsonrpc: '2.0', method: 'initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'account/rateLimits/read', params: {} });
    try {
      return await answer;
    } finally {
      child.kill();
    }
  }
});
