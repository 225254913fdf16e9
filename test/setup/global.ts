import { prepareTestEnv } from './prepare.js';

/**
 * vitest globalSetup: the same idempotent step `npm test` runs first, so `npx vitest run <area>` on a
 * fresh clone has its PostgreSQL, browser, clients and releases too (milliseconds once they are there).
 */
export default async function setup(): Promise<void> {
  await prepareTestEnv((line) => console.log(`test setup: ${line}`));
}
