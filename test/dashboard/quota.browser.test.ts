import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QuotaReading } from '../../src/gateway/quota/reading.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { launchChromium } from './browser.js';

const MIN = 60_000;

/**
 * Each login's quota windows on Overview and Logins (used share, reset time), from the readings the
 * gateway keeps: the dashboard's API used to send `quota: null` for every login.
 */
describe('dashboard quota windows in Chromium', () => {
  let t: TestGateway;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    t = await startTestGateway();
    // The gateway's first usage poll has read and saved the idle logins; nothing else writes readings now.
    await vi.waitFor(
      () => expect(t.logs.some((l) => l.includes('usage poll read 2 idle login'))).toBe(true),
      {
        timeout: 30_000,
      },
    );
    const now = Date.now();
    const reading = (provider: string, windows: QuotaReading['windows']): QuotaReading => ({
      provider,
      windows,
      extra: {},
      at: now,
    });
    t.gateway.quotas.observe(
      'openai-codex:default',
      reading('openai-codex', [
        { name: 'primary', usedRatio: 0.42, resetAt: now + 125 * MIN, windowMinutes: 300, status: null },
        {
          name: 'secondary',
          usedRatio: 0.07,
          resetAt: now + 3 * 1440 * MIN,
          windowMinutes: 10_080,
          status: null,
        },
      ]),
    );
    t.gateway.quotas.observe(
      'anthropic:claude',
      reading('anthropic', [
        { name: '5h', usedRatio: 0.64, resetAt: now + 30 * MIN, windowMinutes: 300, status: null },
        // Started over since the reading: what it counted is gone, so it is not shown.
        { name: '7d', usedRatio: 0.9, resetAt: now - MIN, windowMinutes: 10_080, status: null },
      ]),
    );
    await t.gateway.flushEvents();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(t.dashboard.mintSignInUrl());
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const cell = (scope: string, id: string) => page.locator(`${scope}[data-profile="${id}"] .quota-cell`);

  it('Overview: a Quota column with each window, its use and when it resets', async () => {
    const codex = cell('tr', 'openai-codex:default');
    await expect(codex.locator('[data-window="primary"]').innerText()).resolves.toMatch(
      /^primary 42% of 5h, resets in 2 h$/,
    );
    await expect(codex.locator('[data-window="secondary"]').innerText()).resolves.toMatch(
      /^secondary 7% of 7d, resets in 3 d$/,
    );
    await expect(codex.locator('meter[aria-label="primary used"]').getAttribute('value')).resolves.toBe('42');
    const claude = cell('tr', 'anthropic:claude');
    await expect(claude.locator('li').allInnerTexts()).resolves.toEqual(['5h 64% of 5h, resets in 30 min']);
    // An API key that has served nothing has no reading.
    await expect(cell('tr', 'anthropic:key').innerText()).resolves.toBe('-');
  });

  it('Logins: each card shows the same windows', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Logins' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logins' }).waitFor();
    const codex = cell('article', 'openai-codex:default');
    await expect(codex.locator('li').allInnerTexts()).resolves.toEqual([
      'primary 42% of 5h, resets in 2 h',
      'secondary 7% of 7d, resets in 3 d',
    ]);
    await expect(cell('article', 'anthropic:claude').locator('li').allInnerTexts()).resolves.toEqual([
      '5h 64% of 5h, resets in 30 min',
    ]);
    // Reset times carry the local time on hover.
    const title = await codex.locator('[data-window="primary"] span[title]').getAttribute('title');
    expect(Date.parse(title ?? '')).not.toBeNaN();
  });
});
