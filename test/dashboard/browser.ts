import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CLAWKEEP_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's chromium in a fresh user-data-dir, headless. Throws with the fix when it is missing:
 * browser tests fail loudly rather than skip (CI installs it in .ci/run).
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the dashboard browser tests need Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (CI does this in .ci/run) or point CLAWKEEP_CHROMIUM at a Chromium binary`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'clawkeep-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
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
