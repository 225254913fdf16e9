import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_CLIENT } from '../../src/dashboard/try-route.js';
import { createClient } from '../../src/gateway/clients.js';
import { getProvider, resolveOAuthEndpoints } from '../../src/providers/registry.js';
import { fingerprint } from '../../src/util/fingerprint.js';
import { copyFixture } from '../doctor/helpers.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ageProfile, readRow } from '../helpers/store-fixtures.js';
import { launchChromium } from './browser.js';

const SHOTS = process.env.CLAWKEEP_SCREENSHOTS ?? join(process.cwd(), '.tmp', 'dashboard-screenshots');

/**
 * The dashboard in real Chromium against a real gateway, store and provider emulator: sign in,
 * watch a login fail and re-authenticate it, add a key, create and revoke a client, see events
 * arrive live, try a route. Every page, API answer and rendered DOM is scanned for token values.
 */
describe('dashboard in Chromium', () => {
  let t: TestGateway;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  /** Bodies of every non-streaming /ui answer the browser received, for the token scan. */
  const seen: string[] = [];
  const secrets: string[] = [];
  const ADDED_KEY = 'sk-emu-dashboard-added-0123456789';
  const LIVE = 'fake-codex-refresh-2';
  const SPENT = 'fake-codex-refresh-1';
  let openclaw: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // PKCE logins started in the page listen on a free port, not the providers' registered ones.
    process.env.CLAWKEEP_LOGIN_CALLBACK_PORTS = String(await freePort());
    // The doctor page diagnoses this OpenClaw 2026.6 state dir: agent main's store is split.
    openclaw = copyFixture('split-2026.6');
    process.env.OPENCLAW_STATE_DIR = openclaw;
    t = await startTestGateway();
    delete process.env.CLAWKEEP_LOGIN_CALLBACK_PORTS;
    delete process.env.OPENCLAW_STATE_DIR;
    secrets.push(...t.secrets.filter((s) => s !== t.key), ADDED_KEY, LIVE, SPENT);
    browser = await launchChromium();
    context = browser.context;
    context.on('response', async (res) => {
      if (!res.url().includes('/ui/') || res.url().includes('/events/stream')) return;
      if (res.status() >= 300 && res.status() < 400) return;
      seen.push(await res.text().catch(() => ''));
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (openclaw) rmSync(openclaw, { recursive: true, force: true });
  });

  async function shot(name: string) {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    seen.push(await page.content());
  }

  async function goto(section: string) {
    const name = `${section[0]!.toUpperCase()}${section.slice(1)}`;
    await page.getByRole('navigation').getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }

  it('refuses the page without a session, then signs in with the one-time link', async () => {
    const refused = await page.goto(`${t.gateway.url}/ui/`);
    expect(refused?.status()).toBe(401);
    await expect(page.getByRole('heading', { name: 'Sign in to clawkeep' }).isVisible()).resolves.toBe(true);

    const link = t.dashboard.mintSignInUrl();
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'clawkeep_ui')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    const row = page.locator('tr[data-profile="openai-codex:default"]');
    await expect(row.locator('.badge').textContent()).resolves.toBe('ok');
    await shot('overview');

    // The link was spent by its first use.
    const again = await (await context.newPage()).goto(link);
    expect(again?.status()).toBe(401);
  });

  it('a route tried in the page falls back loudly when a login dies; the fallback arrives live in Events', async () => {
    const events = await context.newPage();
    await events.goto(`${t.gateway.url}/ui/#/events`);
    await events.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await events.locator('#live-state', { hasText: 'live' }).waitFor();
    await events.waitForTimeout(700);

    // Another tool rotates the Codex login out from under clawkeep, and its token is about to expire.
    const row = readRow(t.home, 'openai-codex:default')!;
    const codex = getProvider('openai-codex');
    const ep = resolveOAuthEndpoints(codex, t.emulator.env());
    const spent = await fetch(ep.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: ep.clientId,
        grant_type: 'refresh_token',
        refresh_token: row.refresh,
      }),
    });
    expect(spent.status).toBe(200);
    secrets.push(
      ...(Object.values((await spent.json()) as Record<string, unknown>).filter(
        (v) => typeof v === 'string' && v.length > 20,
      ) as string[]),
    );
    ageProfile(t.home, 'openai-codex:default');

    // The chain falls back to the Claude subscription: the user opted the dashboard's probe in
    // (a plain client would be refused it: the serving policy, test/gateway/serving-policy.test.ts).
    await t.store.removeClient(PROBE_CLIENT, Date.now());
    await createClient(t.store, PROBE_CLIENT, null, Date.now(), { subscriptionOptIn: true });
    await goto('routing');
    const main = page.locator('article[data-chain="main"]');
    await expect(main.getByTestId('route-now').textContent()).resolves.toBe(
      'openai-codex/gpt-5@openai-codex:default',
    );
    await main.getByRole('button', { name: 'Try route main' }).click();
    const result = main.getByTestId('try-result');
    await result.waitFor();
    await expect(result.textContent()).resolves.toMatch(/HTTP 200/);
    await expect(result.textContent()).resolves.toMatch(/anthropic\/claude-sonnet-4-5 @ anthropic:claude/);
    await expect(result.textContent()).resolves.toMatch(/openai-codex\/gpt-5@openai-codex:default/);
    await shot('routing');

    await events.locator('#event-rows tr[data-kind="fallback"]').first().waitFor({ timeout: 5000 });
    await events.locator('#event-rows tr[data-kind="reauth_required"]').first().waitFor({ timeout: 5000 });
    await expect(events.getByTestId('chart-fallbacks').textContent()).resolves.not.toBe('0');
    await events.screenshot({ path: join(SHOTS, 'events.png'), fullPage: true });
    seen.push(await events.content());

    // Filtering by kind keeps only that kind.
    await events.getByLabel('Kind').selectOption('fallback');
    // The page reloads the list filtered: wait for that render rather than reading the old rows.
    await events
      .waitForFunction(
        `(() => {
          const rows = [...document.querySelectorAll('#event-rows tr')];
          return rows.length > 0 && rows.every((r) => r.getAttribute('data-kind') === 'fallback');
        })()`,
        undefined,
        // A loaded CI machine once took over 5 s to render the filtered list.
        { timeout: 20_000 },
      )
      .catch(() => {});
    const kinds = await events
      .locator('#event-rows tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(new Set(kinds)).toEqual(new Set(['fallback']));
    await events.close();
  });

  it('shows the dead login with its fix, and re-authenticates it through the device code in the page', async () => {
    await goto('overview');
    const banner = page.getByRole('alert').filter({ hasText: 'openai-codex:default' });
    await expect(banner.textContent()).resolves.toMatch(
      /needs re-auth.*refresh_token_reused.*clawkeep models auth login --provider openai-codex --name default/s,
    );

    // Codex CLI's auth.json holds the dead login too, linked to the profile.
    const dead = readRow(t.home, 'openai-codex:default')!;
    const authJson = join(openclaw, 'codex-auth.json');
    writeFileSync(
      authJson,
      JSON.stringify({
        auth_mode: 'chatgpt',
        OPENAI_API_KEY: null,
        tokens: {
          id_token: dead.access,
          access_token: dead.access,
          refresh_token: dead.refresh,
          account_id: dead.account_id,
        },
      }),
    );
    await t.store.addLinkedSource(
      { profileId: 'openai-codex:default', kind: 'codex-auth-json', location: authJson },
      Date.now(),
    );

    await goto('logins');
    const card = page.locator('article[data-profile="openai-codex:default"]');
    await expect(card.locator('.badge').first().textContent()).resolves.toBe('needs re-auth');
    await expect(card.locator('li[data-step]').getAttribute('data-step')).resolves.toBe('in_step');
    await card.getByRole('button', { name: 'Re-authenticate openai-codex:default' }).click();
    const code = page.getByTestId('user-code');
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const href = await page.getByTestId('login-panel').getByRole('link').getAttribute('href');
    await shot('logins-device-code');

    // The person approves on the provider's page, as the same account.
    const approve = new URL(href!);
    approve.searchParams.set('user_code', (await code.textContent())!);
    approve.searchParams.set('login_hint', 'codex@example.test');
    expect((await fetch(approve)).status).toBe(200);
    await page
      .getByTestId('login-panel')
      .getByText(/Signed in: replaced openai-codex:default/)
      .waitFor({ timeout: 15_000 });
    // The card re-renders once the page has read the login again: wait for that, not for a moment.
    await expect
      .poll(() => page.locator('article[data-profile="openai-codex:default"] .badge').first().textContent(), {
        timeout: 15_000,
      })
      .toBe('ok');
    const fresh = readRow(t.home, 'openai-codex:default')!;
    expect(fresh.status).toBe('ok');
    secrets.push(fresh.access as string, fresh.refresh as string);
    // The new login was written back to the linked auth.json, and the page says it is in step.
    expect(fingerprint(JSON.parse(readFileSync(authJson, 'utf8')).tokens.refresh_token)).toBe(
      fingerprint(fresh.refresh as string),
    );
    const step = page.locator('article[data-profile="openai-codex:default"] li[data-step]');
    await expect(step.getAttribute('data-step')).resolves.toBe('in_step');
    await expect(step.textContent()).resolves.toContain(fingerprint(fresh.refresh as string));
  });

  it('signs in a new PKCE login by pasting the redirect the browser ended on', async () => {
    await goto('logins');
    const form = page.locator('form#new-login');
    await form.getByLabel('Provider').selectOption('anthropic');
    await form.getByLabel('Name').fill('pasted');
    await form.getByLabel('Method').selectOption('browser');
    await form.getByRole('button', { name: 'Sign in' }).click();
    const panel = page.getByTestId('login-panel');
    const link = panel.getByRole('link', { name: 'Open the sign-in page' });
    await link.waitFor();
    const authorize = new URL((await link.getAttribute('href'))!);
    authorize.searchParams.set('login_hint', 'paste@example.test');
    const answer = await fetch(authorize, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    await panel.getByLabel('Redirect URL or code').fill(answer.headers.get('location')!);
    await panel.getByRole('button', { name: 'Finish sign-in' }).click();
    await panel.getByText(/Signed in: created anthropic:pasted/).waitFor({ timeout: 15_000 });
    const row = readRow(t.home, 'anthropic:pasted')!;
    expect(row).toMatchObject({ status: 'ok', email: 'paste@example.test' });
    secrets.push(row.access as string, row.refresh as string);
  });

  it('adds an API key without ever echoing it', async () => {
    await goto('logins');
    const form = page.locator('form#add-key');
    await form.getByLabel('Provider').selectOption('openai');
    await form.getByLabel('Name').fill('dash');
    await form.getByLabel('API key').fill(ADDED_KEY);
    await form.getByRole('button', { name: 'Add key' }).click();
    const card = page.locator('article[data-profile="openai:dash"]');
    await card.waitFor();
    await expect(card.textContent()).resolves.toMatch(/api_key/);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(
      /Stored openai:dash \(API key [0-9a-f]{8}\/\d+\)/,
    );
    expect(readRow(t.home, 'openai:dash')).toMatchObject({ type: 'api_key', status: 'ok' });
    await expect(form.getByLabel('API key').inputValue()).resolves.toBe('');
    await shot('logins');
  });

  it('creates a client key shown once, and a revoke makes the running gateway refuse it at once', async () => {
    await goto('clients');
    const form = page.locator('form#add-client');
    await form.getByLabel('Name').fill('dash-agent');
    await form.getByLabel('Default chain').selectOption('claude');
    await form.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    const key = await shown.getByLabel('Client key').inputValue();
    expect(key).toMatch(/^ck_/);
    await expect(shown.locator('#snippet-openai').textContent()).resolves.toContain(
      `OPENAI_BASE_URL=${t.gateway.url}/v1`,
    );
    await shot('clients');

    const models = () =>
      fetch(`${t.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then(
        (r) => r.status,
      );
    expect(await models()).toBe(200);

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke dash-agent' }).click();
    await page.getByRole('status').getByText('Client dash-agent revoked.').waitFor();
    expect(await models()).toBe(401);
    await expect(page.locator('tr[data-client="dash-agent"]').count()).resolves.toBe(0);
  });

  it('runs the doctor on an OpenClaw home: findings by agent, a dry-run preview, then a repair that keeps the live token', async () => {
    await goto('doctor');
    const main = page.getByRole('article', { name: /^agent main / });
    const split = main.locator('li[data-code="split_store"]');
    await expect(split.textContent()).resolves.toContain(fingerprint(LIVE));
    await expect(split.textContent()).resolves.toContain(fingerprint(SPENT));
    await shot('doctor');
    const agentStore = join(openclaw, 'agents/main/agent/openclaw-agent.sqlite');
    const before = readFileSync(agentStore);

    await page.getByRole('button', { name: 'Preview repair' }).click();
    const preview = page.getByTestId('doctor-preview');
    await preview.waitFor();
    await expect(preview.textContent()).resolves.toMatch(/skipped.*\[split_store\]: would /s);
    expect(readFileSync(agentStore).equals(before)).toBe(true);

    page.once('dialog', (d) => void d.accept());
    await preview.getByRole('button', { name: 'Apply repair' }).click();
    const applied = page.getByTestId('doctor-applied');
    await applied.waitFor({ timeout: 20_000 });
    await expect(applied.textContent()).resolves.toMatch(/fixed.*split_store/s);
    await expect(page.locator('#doctor-findings li[data-code="split_store"]').count()).resolves.toBe(0);
    const db = new Database(agentStore, { readonly: true });
    const doc = db.prepare("SELECT store_json FROM auth_profile_store WHERE store_key = 'primary'").get() as {
      store_json: string;
    };
    db.close();
    expect(JSON.stringify(JSON.parse(doc.store_json))).toContain(LIVE);
    expect(doc.store_json).not.toContain(SPENT);
    const repaired = await t.store.listEvents({ limit: 10_000 });
    expect(repaired.some((e) => e.kind === 'repaired' && e.data.code === 'split_store')).toBe(true);
    await shot('doctor-applied');
  });

  it('has no serious accessibility violations (axe-core) on any page, light and dark, desktop and phone', async () => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const found: string[] = [];
    for (const [scheme, width] of [
      ['light', 1280],
      ['dark', 390],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 844 });
      for (const section of ['logins', 'clients', 'routing', 'events', 'doctor', 'overview']) {
        await goto(section);
        // Through the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
        await page.evaluate(axe);
        const violations = (await page.evaluate(
          `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
        )) as string[];
        found.push(...violations.map((v) => `${section} (${scheme}, ${width}px): ${v}`));
        await page.screenshot({ path: join(SHOTS, `${section}-${scheme}-${width}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(found).toEqual([]);
  }, 150_000); // 24 page renders with axe and a screenshot each: about 30 s on two busy cores

  it('never shows a token: no page, API answer or rendered DOM holds one', async () => {
    await goto('overview');
    seen.push(await page.content());
    expect(seen.length).toBeGreaterThan(10);
    const hits = secrets.filter((s) => s && seen.some((body) => body.includes(s)));
    expect(hits.map((h) => h.slice(0, 6))).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
