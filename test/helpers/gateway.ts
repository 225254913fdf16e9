import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigSchema } from '../../src/config/schema.js';
import { type Dashboard, dashboardMount } from '../../src/dashboard/handler.js';
import { type Emulator, EmulatorControl, startEmulator } from '../../src/emulator/index.js';
import { createClient } from '../../src/gateway/clients.js';
import { type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { createLogger } from '../../src/runtime/log.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

export const TEST_CHAINS = {
  main: ['openai-codex/gpt-5', { target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:claude' }],
  'codex-only': ['openai-codex/gpt-5'],
  claude: [{ target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:claude' }],
  'claude-key': [{ target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:key' }],
  openai: ['openai/gpt-4.1'],
};

export interface TestGateway {
  emulator: Emulator;
  ctl: EmulatorControl;
  home: string;
  store: Store;
  gateway: RunningGateway;
  /** The dashboard the gateway serves at /ui. */
  dashboard: Dashboard;
  key: string;
  logs: string[];
  /** Every secret the scenario handled, for leak scans. */
  secrets: string[];
  close(): Promise<void>;
}

/** Emulator + store with one Codex login, one Claude login and two API keys + a gateway in this process. */
export async function startTestGateway(config: Record<string, unknown> = {}): Promise<TestGateway> {
  const emulator = await startEmulator({ reuse: { kind: 'strict' } });
  const ctl = new EmulatorControl(emulator.url);
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-gw-'));
  const { store } = openStore({ home });
  const now = Date.now();
  const codex = await ctl.mint({ provider: 'openai-codex', email: 'codex@example.test' });
  const claude = await ctl.mint({ provider: 'anthropic', email: 'claude@example.test' });
  const add = (
    id: string,
    t: { access: string; refresh?: string; expires?: number; accountId?: string },
    type: 'oauth' | 'api_key',
  ) =>
    store.insertProfile(
      {
        id,
        type,
        access: t.access,
        refresh: t.refresh ?? null,
        expires: t.expires ?? null,
        accountId: t.accountId ?? null,
      },
      now,
    );
  await add('openai-codex:default', codex, 'oauth');
  await add('anthropic:claude', claude, 'oauth');
  await add('anthropic:key', { access: 'sk-emu-anthropic-test' }, 'api_key');
  await add('openai:key', { access: 'sk-emu-openai-test' }, 'api_key');
  // Opted in to the Claude subscription: these tests drive chains through it; the serving policy
  // itself (other clients never reach it) is proven in test/gateway/serving-policy.test.ts.
  const { key } = await createClient(store, 'test-agent', 'main', now, { subscriptionOptIn: true });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const parsed = ConfigSchema.parse({
    gateway: { port: 0, logLevel: 'info' },
    chains: TEST_CHAINS,
    defaultChain: 'main',
    ...config,
  });
  let dashboard: Dashboard | null = null;
  const gateway = await startGateway({
    mounts: [dashboardMount((d) => (dashboard = d))],
    store,
    config: parsed,
    log: createLogger('info', sink),
    env: { ...process.env, ...emulator.env() },
    home,
  });
  return {
    emulator,
    ctl,
    home,
    store,
    gateway,
    dashboard: dashboard!,
    key,
    logs,
    secrets: [
      codex.access,
      codex.refresh,
      claude.access,
      claude.refresh,
      'sk-emu-anthropic-test',
      'sk-emu-openai-test',
      key,
    ],
    async close() {
      await gateway.close(1000);
      await store.close();
      await emulator.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
