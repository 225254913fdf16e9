import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigSchema } from '../config/schema.js';
import { EmulatorControl, startEmulator } from '../emulator/index.js';
import { createClient } from '../gateway/clients.js';
import { startGateway } from '../gateway/server.js';
import { createLogger } from '../runtime/log.js';
import { openStore } from '../store/open-store.js';
import { invokedAs } from '../util/invoked-as.js';

export interface DemoReport {
  completion: { target: string | null; text: string };
  storm: { requests: number; ok: number; rotations: number; reuseHits: number };
  fallback: { status: number; target: string | null; header: string | null; reason: string | null };
}

const STORM = 50;

/**
 * The offline demo: emulator + gateway on a temporary home, a scripted agent, plain-words narration.
 * Returns what happened so tests can assert on it; removes the temporary home at the end and never
 * touches `userHome`, the home the user's own commands act on (named in the closing lines).
 */
export async function runDemo(say: (line: string) => void, o: { userHome: string }): Promise<DemoReport> {
  const emulator = await startEmulator({ reuse: { kind: 'family' }, accessTtlSeconds: 3600 });
  const ctl = new EmulatorControl(emulator.url);
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-demo-'));
  const { store } = openStore({ home });
  const config = ConfigSchema.parse({
    gateway: { port: 0, logLevel: 'silent' },
    chains: {
      main: ['openai-codex/gpt-5', { target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:demo' }],
    },
    defaultChain: 'main',
  });
  const gateway = await startGateway({
    store,
    config,
    log: createLogger('silent'),
    env: { ...process.env, ...emulator.env() },
  });
  try {
    say(
      'clawkeep demo: a provider emulator, a gateway and a scripted agent, all on this machine (nothing goes online).',
    );
    say(`  emulator ${emulator.url}, gateway ${gateway.url}, temporary home ${home}`);
    // A short-lived Codex token, so the storm below happens inside its refresh window.
    await ctl.configure({ accessTtlSeconds: 4 });
    const codex = await ctl.mint({ provider: 'openai-codex', email: 'demo@example.test' });
    await ctl.configure({ accessTtlSeconds: 3600 });
    const now = Date.now();
    await store.insertProfile({ ...codex, id: 'openai-codex:demo' }, now);
    // A Claude subscription login serves Claude Code alone; an agent's Anthropic fallback is an API key.
    await store.insertProfile({ id: 'anthropic:demo', type: 'api_key', access: 'sk-emu-demo' }, now);
    const { key } = await createClient(store, 'demo-agent', 'main');
    say(
      '  stored a Codex login (openai-codex:demo), an Anthropic API key (anthropic:demo) and a client key for the agent; chain main = Codex, then Claude',
    );

    const ask = async (text: string) => {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chain:main', messages: [{ role: 'user', content: text }] }),
      });
      const body = (await res.json()) as {
        choices?: Array<{ message?: { content?: string } }>;
        error?: { message?: string };
      };
      return {
        status: res.status,
        target: res.headers.get('x-clawkeep-target'),
        fallback: res.headers.get('x-clawkeep-fallback'),
        text: body.choices?.[0]?.message?.content ?? body.error?.message ?? '',
      };
    };

    say('\n[1/3] The agent asks for a completion through the gateway (OpenAI chat format).');
    const first = await ask('hello from the demo agent');
    say(`  served by ${first.target}: "${first.text}"`);

    say(
      `\n[2/3] The Codex access token enters its refresh window; the agent fires ${STORM} requests at once.`,
    );
    await sleep(Math.max(0, codex.expires - 300 - Date.now()));
    const before = await ctl.stats();
    const storm = await Promise.all(Array.from({ length: STORM }, (_, i) => ask(`storm request ${i}`)));
    const after = await ctl.stats();
    const ok = storm.filter((r) => r.status === 200).length;
    const rotations = after.rotations - before.rotations;
    const reuseHits = after.reuseHits - before.reuseHits;
    const gen = (await store.getProfile('openai-codex:demo'))?.generation;
    say(
      `  ${ok}/${STORM} answered; the token endpoint was called ${after.refreshes.total - before.refreshes.total} time(s): ${rotations} rotation, ${reuseHits} reuse. Generation is now ${gen}.`,
    );

    say(
      "\n[3/3] Another tool on this machine uses the same Codex login and refreshes it behind clawkeep's back, twice.",
    );
    const stored = (await store.getProfile('openai-codex:demo'))!;
    const tokenUrl = emulator.env().CLAWKEEP_OPENAI_CODEX_TOKEN_URL!;
    const rogue = (refresh: string) =>
      fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'refresh_token',
          refresh_token: refresh,
          client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        }),
      });
    await (await rogue(stored.refresh!)).text();
    const reused = await rogue(stored.refresh!);
    say(
      `  the provider saw a spent refresh token (${reused.status} ${((await reused.json()) as { error?: { code?: string } }).error?.code}) and revoked the whole login`,
    );
    const third = await ask('are you still there?');
    const reason = /reason=([a-z_]+)/.exec(third.fallback ?? '')?.[1] ?? null;
    say(`  the agent's next request was served by ${third.target}: "${third.text}"`);
    say(`  and the fallback was loud: x-clawkeep-fallback: ${third.fallback}`);
    const dead = await store.getProfile('openai-codex:demo');
    // The demo's login dies with its temporary home, so the fix named is the one for the user's own.
    say(
      `  openai-codex:demo is now ${dead?.status} [${dead?.statusReason}]: only a new login revives it (fix on your own home: ${invokedAs()} models auth login --provider openai-codex)`,
    );
    await gateway.flushEvents();
    const kinds = (await store.listEvents()).map((e) => e.kind);
    say(
      `\nEvents recorded: ${[...new Set(kinds)].join(', ')}. The demo's temporary home ${home} is removed; your home ${o.userHome} was not touched.`,
    );
    return {
      completion: { target: first.target, text: first.text },
      storm: { requests: STORM, ok, rotations, reuseHits },
      fallback: { status: third.status, target: third.target, header: third.fallback, reason },
    };
  } finally {
    await gateway.close(1000);
    await store.close();
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  }
}
