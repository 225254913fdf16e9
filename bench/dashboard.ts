/**
 * bench/dashboard: the dashboard's first load in headless Chromium against a gateway with the usual
 * test logins: JavaScript bytes the page loads (goal: under 200 KB) and the time from navigation to
 * an interactive Overview (goal: under 1 s), median of several cold loads. Prints figures and ratios
 * to the goals; no assertion (timing stays out of the tests).
 *
 *   node --import tsx bench/dashboard.ts [loads]
 */

import { launchChromium } from '../test/dashboard/browser.js';
import { startTestGateway } from '../test/helpers/gateway.js';

const LOADS = Number(process.argv[2] ?? 7);
const JS_GOAL = 200 * 1024;
const TTI_GOAL_MS = 1000;

const t = await startTestGateway();
const browser = await launchChromium();
try {
  const times: number[] = [];
  let jsBytes = 0;
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.context.newPage();
    let bytes = 0;
    page.on('response', async (res) => {
      if (res.request().resourceType() === 'script')
        bytes += (await res.body().catch(() => Buffer.alloc(0))).length;
    });
    const link = t.dashboard.mintSignInUrl();
    const started = Date.now();
    await page.goto(link);
    // Interactive: the Overview is rendered from the API and its navigation answers a click.
    await page.locator('tr[data-profile]').first().waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Logins' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logins' }).waitFor();
    times.push(Date.now() - started);
    jsBytes = Math.max(jsBytes, bytes);
    await page.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`dashboard first load, ${LOADS} cold sign-ins (link -> Overview rendered -> Logins rendered)`);
  console.log(
    `  JavaScript loaded: ${(jsBytes / 1024).toFixed(1)} KB  (${(jsBytes / JS_GOAL).toFixed(3)} of the 200 KB goal)`,
  );
  console.log(
    `  interactive:       median ${median} ms, min ${times[0]} ms, max ${times.at(-1)} ms  (${(median / TTI_GOAL_MS).toFixed(3)} of the 1 s goal)`,
  );
} finally {
  await browser.close();
  await t.close();
}
