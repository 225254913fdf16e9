import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { ensureBrowser } from '../setup/chromium.js';

/**
 * A headless Chromium in a fresh user-data-dir: CHROME_PATH's, the system's, or the one
 * @sparticuz/chromium ships (test/setup/chromium.ts). Browser tests never skip.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const browser = await ensureBrowser();
  const userDataDir = mkdtempSync(join(tmpdir(), 'clawkeep-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browser.executablePath,
    env: { ...process.env, ...browser.env },
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
