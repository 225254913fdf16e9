import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasOpenClaw, openclawUses, sha16 } from '../doctor/helpers.js';
import { guardShared2026_9, stopGuardian, waitFor, watchEvents } from './helpers.js';

const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => stopGuardian(g)));
});

const order = (state: string) =>
  (JSON.parse(readFileSync(join(state, 'openclaw.json'), 'utf8')) as { auth?: { order?: unknown } }).auth
    ?.order;

describe('clawkeep watch: an auth order that names no held login (real processes)', () => {
  it('appends the held login to an order written while it runs, so OpenClaw uses it again', async () => {
    // The first pass renames the fixture's login to openai:default.
    const { state, home, guardian: g } = await guardShared2026_9(running);

    // What a config edit or another tool can leave: the order names a login that is not there.
    const t0 = Date.now();
    writeFileSync(
      join(state, 'openclaw.json'),
      `${JSON.stringify({ auth: { order: { openai: ['openai:gone'] } } }, null, 2)}\n`,
    );
    await waitFor('order healed', () => JSON.stringify(order(state)).includes('openai:default'));
    console.log(`dead auth order healed ${Date.now() - t0} ms after it was written`);
    expect(order(state)).toEqual({ openai: ['openai:gone', 'openai:default'] });
    // The guardian writes the config first and records the repair right after.
    await waitFor('repair recorded', () =>
      watchEvents(home).some((e) => e.kind === 'repaired' && e.data.code === 'auth_order_unknown'),
    );
    await stopGuardian(g);
    if (hasOpenClaw('2026.9.6'))
      expect(openclawUses('2026.9.6', state, 'openai').resolved).toEqual([
        { id: 'openai:default', refresh: sha16('fake-codex-refresh-1') },
      ]);
  }, 90_000);
});
