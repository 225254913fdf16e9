import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QuotaCrossing } from '../../src/gateway/quota/alerts.js';
import { QuotaBook } from '../../src/gateway/quota/book.js';
import type { QuotaReading } from '../../src/gateway/quota/reading.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

const T0 = 1_800_000_000_000;
const reading = (primary: number, secondary?: number, at = T0): QuotaReading => ({
  provider: 'openai-codex',
  windows: [
    { name: 'primary', usedRatio: primary, resetAt: T0 + 3_600_000, windowMinutes: 300, status: null },
    ...(secondary === undefined
      ? []
      : [
          {
            name: 'secondary',
            usedRatio: secondary,
            resetAt: T0 + 86_400_000,
            windowMinutes: 10_080,
            status: null,
          },
        ]),
  ],
  extra: {},
  at,
});

describe('QuotaBook on a real SQLite store', () => {
  let home: string;
  let store: Store;
  const log = pino({ level: 'silent' });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-quota-book-'));
    store = openStore({ home }).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('merges windows, writes each profile once per interval, and a restart neither forgets nor re-alerts', async () => {
    const told: QuotaCrossing[] = [];
    const book = new QuotaBook({ store, log, saveEveryMs: 60_000, onCrossing: (c) => told.push(c) });
    book.observe('openai-codex:a', reading(0.5, 0.1));
    book.observe('openai-codex:a', reading(0.85)); // a 429's headers may name one window only
    expect(book.get('openai-codex:a')?.windows.map((w) => [w.name, w.usedRatio])).toEqual([
      ['primary', 0.85],
      ['secondary', 0.1],
    ]);
    expect(told.map((c) => c.level)).toEqual(['warn_80']);
    expect(await store.listQuotas()).toEqual([]); // nothing on the request path
    await book.flush();
    expect((await store.listQuotas()).map((q) => q.profileId)).toEqual(['openai-codex:a']);

    const restarted = new QuotaBook({ store, log, onCrossing: (c) => told.push(c) });
    await restarted.load();
    expect(restarted.headroom('openai-codex:a', T0)).toBeCloseTo(0.15);
    restarted.observe('openai-codex:a', reading(0.86));
    expect(told).toHaveLength(1);
    restarted.observe('openai-codex:a', reading(1));
    expect(told.map((c) => c.kind)).toEqual(['quota_warning', 'quota_exhausted']);
    expect(restarted.exhaustedUntil('openai-codex:a', T0)).toBe(T0 + 3_600_000);
    expect(restarted.headroom('openai-codex:a', T0)).toBe(0);
    // after the reset the used-up window no longer counts
    expect(restarted.exhaustedUntil('openai-codex:a', T0 + 3_600_000)).toBeNull();
    expect(restarted.headroom('openai-codex:a', T0 + 3_600_000)).toBeCloseTo(0.9);
    await restarted.flush();
  });
});
