import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/processes.js';

const POOL = ['openai-codex:default', 'openai-codex:b', 'openai-codex:c'];

/**
 * Quotas and pools against the emulator: readings from the Codex backend's headers, an alert once
 * per crossing, a used-up login left out (its conversation moved, reason quota), usage counted.
 */
describe('quota readings, alerts and a quota-aware pool', () => {
  let t: TestGateway;
  let hook: Server;
  const posted: Array<Record<string, unknown>> = [];
  const accounts = new Map<string, string>();

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        posted.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    t = await startTestGateway({
      gateway: { port: 0, logLevel: 'info', webhook },
      chains: {
        main: ['openai-codex/gpt-5'],
        pool: [{ target: 'openai-codex/gpt-5', profiles: POOL, strategy: 'quota-aware' }],
        ...Object.fromEntries(
          POOL.map((id) => [`solo-${id.split(':')[1]}`, [{ target: 'openai-codex/gpt-5', profile: id }]]),
        ),
      },
    });
    accounts.set('openai-codex:default', (await t.store.getProfile('openai-codex:default'))!.accountId!);
    for (const name of ['b', 'c']) {
      const m = await t.ctl.mint({ provider: 'openai-codex', email: `${name}@example.test` });
      await t.store.insertProfile(
        {
          id: `openai-codex:${name}`,
          type: 'oauth',
          access: m.access,
          refresh: m.refresh,
          expires: m.expires,
          accountId: m.accountId,
        },
        Date.now(),
      );
      accounts.set(`openai-codex:${name}`, m.accountId);
      t.secrets.push(m.access, m.refresh);
    }
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  const ask = (session: string, model = 'chain:pool') =>
    new OpenAI({
      apiKey: t.key,
      baseURL: `${t.gateway.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { session_id: session },
    }).chat.completions
      .create({ model, messages: [{ role: 'user', content: 'quota test' }] })
      .withResponse();
  const setUse = (profileId: string, primaryPercent: number) =>
    t.ctl.setQuota({ provider: 'openai-codex', accountId: accounts.get(profileId)!, primaryPercent });

  let home = '';

  it('reads each answer’s quota into the book, the gauges and (batched) the store', async () => {
    const { response } = await ask('s1');
    home = response.headers.get('x-clawkeep-profile')!;
    expect(POOL).toContain(home);
    const reading = t.gateway.quotas.get(home);
    expect(reading?.windows.find((w) => w.name === 'primary')).toMatchObject({
      usedRatio: 0.01,
      windowMinutes: 300,
    });
    expect(reading?.extra.credits_has_credits).toBe('false');
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toContain(`clawkeep_quota_used_ratio{profile="${home}",window="primary"} 0.01`);
    expect(metrics).toMatch(
      /clawkeep_tokens_total\{client="test-agent",model="openai-codex\/gpt-5",direction="out"\} [1-9]/,
    );
    await t.gateway.flushEvents();
    expect((await t.store.listQuotas()).map((q) => q.profileId)).toContain(home);
  });

  it('counts the tokens of a passed-through stream without holding it', async () => {
    const sum = async () => {
      await t.gateway.flushEvents();
      return (await t.store.listUsage(0)).reduce(
        (a, r) => ({ requests: a.requests + r.requests, out: a.out + r.tokensOut }),
        { requests: 0, out: 0 },
      );
    };
    const before = await sum();
    const stream = await new OpenAI({
      apiKey: t.key,
      baseURL: `${t.gateway.url}/v1`,
      maxRetries: 0,
    }).responses
      .create({ model: 'chain:solo-default', input: 'stream me', stream: true })
      .withResponse();
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    let completed: { usage?: { output_tokens?: number } } | undefined;
    for await (const e of stream.data) if (e.type === 'response.completed') completed = e.response;
    const after = await sum();
    expect(after.requests).toBe(before.requests + 1);
    expect(after.out - before.out).toBe(completed?.usage?.output_tokens);
    expect(completed?.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('keeps a conversation on its login while new conversations spread to the others', async () => {
    for (let i = 0; i < 3; i++)
      expect((await ask('s1')).response.headers.get('x-clawkeep-profile')).toBe(home);
    const others = new Set<string>();
    for (const s of ['n1', 'n2']) others.add((await ask(s)).response.headers.get('x-clawkeep-profile')!);
    expect(others.has(home)).toBe(false);
    expect(others.size).toBe(2);
  });

  it('alerts once when a login crosses 80 %: event, warn log, metric, webhook, with the reset time', async () => {
    await setUse(home, 79);
    await ask('s1'); // 80 %
    await ask('s1'); // 81 %: no second alert
    await t.gateway.flushEvents();
    const warnings = (await t.store.listEvents({ profileId: home })).filter(
      (e) => e.kind === 'quota_warning',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.data).toMatchObject({ window: 'primary', level: 'warn_80', usedPercent: 80 });
    expect(Date.parse(String(warnings[0]?.data.resetAt))).toBeGreaterThan(Date.now());
    expect(
      t.logs.some((l) => l.includes(`quota ${home} primary at 80 %`) && JSON.parse(l).level === 40),
    ).toBe(true);
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      `clawkeep_quota_alerts_total{profile="${home}",window="primary",kind="quota_warning"} 1`,
    );
    await expect.poll(() => posted.filter((p) => p.event === 'quota_warning').length).toBe(1);
    expect(posted.find((p) => p.event === 'quota_warning')).toMatchObject({
      profile: home,
      window: 'primary',
    });
  });

  it('leaves a used-up login out until its reset and moves its conversation, announced with reason quota', async () => {
    await setUse(home, 100);
    // Another chain meets the 429 first: its headers tell the book the login is used up.
    const solo = await ask('other', `chain:solo-${home.split(':')[1]}`).catch((e: { status: number }) => e);
    expect((solo as { status: number }).status).toBe(429);
    await t.gateway.flushEvents();
    const exhausted = (await t.store.listEvents({ profileId: home })).filter(
      (e) => e.kind === 'quota_exhausted',
    );
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]?.data.resetAt).toBeTruthy();
    const before = (await t.ctl.stats()).modelCalls.byProvider['openai-codex'] ?? 0;
    const { response } = await ask('s1');
    const served = response.headers.get('x-clawkeep-profile')!;
    expect(served).not.toBe(home);
    expect(response.headers.get('x-clawkeep-fallback')).toBe(
      `openai-codex/gpt-5@${home} -> openai-codex/gpt-5@${served}; reason=quota`,
    );
    // one model call: the used-up login was not asked
    expect((await t.ctl.stats()).modelCalls.byProvider['openai-codex']).toBe(before + 1);
    // the conversation now stays on its new login; a new one skips the used-up login, saying until when
    expect((await ask('s1')).response.headers.get('x-clawkeep-profile')).toBe(served);
    const fresh = await ask('n3');
    expect(fresh.response.headers.get('x-clawkeep-profile')).not.toBe(home);
    expect(fresh.response.headers.get('x-clawkeep-skipped')).toMatch(
      new RegExp(`@${home}; quota used up until \\d{4}-`),
    );
  });

  it('answers 429 quota_exhausted with Retry-After when every login of the pool is used up', async () => {
    for (const id of POOL) {
      await setUse(id, 100);
      await ask('x', `chain:solo-${id.split(':')[1]}`).catch(() => undefined);
    }
    const err = (await ask('s9').catch((e: unknown) => e)) as {
      status: number;
      headers: Headers;
      error: { code?: string };
    };
    expect(err.status).toBe(429);
    expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(err.error?.code).toBe('quota_exhausted');
  });

  it('shows quota per login in `models status` and requests and tokens per client and model in `usage`', async () => {
    await t.gateway.flushEvents();
    const status = await runCli(t.home, ['models', 'status', '--json']);
    const rows = JSON.parse(status.stdout) as Array<{
      id: string;
      quota: { windows: Array<{ window: string; usedPercent: number; resetAt: string }> } | null;
    }>;
    const homeRow = rows.find((r) => r.id === home);
    expect(homeRow?.quota?.windows.find((w) => w.window === 'primary')).toMatchObject({ usedPercent: 100 });
    const table = await runCli(t.home, ['models', 'status']);
    expect(table.stdout).toMatch(/QUOTA/);
    expect(table.stdout).toMatch(/primary 100%/);
    const usage = await runCli(t.home, ['usage', '--since', '1h', '--json']);
    expect(usage.code).toBe(0);
    const totals = (JSON.parse(usage.stdout) as { usage: Array<Record<string, unknown>> }).usage;
    const row = totals.find((u) => u.client === 'test-agent' && u.model === 'openai-codex/gpt-5');
    // 12 answers served (the 429s of used-up logins are not usage)
    expect(row?.requests).toBe(12);
    expect(row?.tokensIn).toBeGreaterThan(0);
    expect(row?.tokensOut).toBeGreaterThan(0);
    const bad = await runCli(t.home, ['usage', '--since', 'yesterday']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--since "yesterday"');
    for (const s of t.secrets) expect(status.stdout + usage.stdout).not.toContain(s);
  });
});
