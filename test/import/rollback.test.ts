import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyImport } from '../../src/import/apply.js';
import type { ImportCopy, ImportPlan } from '../../src/import/types.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

function copy(provider: string, refresh: string, email: string): ImportCopy {
  return {
    provider,
    access: `fake-access-${refresh}`,
    refresh,
    expires: 1_800_000_000_000,
    issuedAt: 1_790_000_000_000,
    accountId: null,
    email,
    updatedAt: null,
    label: 'x',
    file: '/nowhere/auth.json',
    link: { kind: 'codex-auth-json', location: `/nowhere/${refresh}.json` },
    suggestedName: null,
  };
}

describe('applyImport is all or nothing', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-rollback-'));
    store = openStore({ home: join(dir, 'home') }).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failure on the third account undoes the creates, the update and the links before it', async () => {
    const existing = await store.insertProfile(
      {
        id: 'anthropic:default',
        type: 'oauth',
        access: 'fake-a0',
        refresh: 'fake-r0',
        expires: 1_700_000_000_000,
        email: 'b@example.invalid',
      },
      1,
    );
    const a = copy('openai-codex', 'fake-r1', 'a@example.invalid');
    const b = copy('anthropic', 'fake-r2', 'b@example.invalid');
    const c = copy('openai-codex', 'fake-r3', 'c@example.invalid');
    const plan: ImportPlan = {
      source: { kind: 'codex', title: 'test source', copies: [a, b, c], notes: [], archive: async () => [] },
      steps: [
        {
          action: 'create',
          profileId: 'openai-codex:a',
          provider: 'openai-codex',
          account: 'a',
          chosen: a,
          copies: [a],
          existing: null,
          why: '',
        },
        {
          action: 'update',
          profileId: 'anthropic:default',
          provider: 'anthropic',
          account: 'b',
          chosen: b,
          copies: [b],
          existing,
          why: '',
        },
        // Taken meanwhile (another process created it): the insert fails.
        {
          action: 'create',
          profileId: 'openai-codex:c',
          provider: 'openai-codex',
          account: 'c',
          chosen: c,
          copies: [c],
          existing: null,
          why: '',
        },
      ],
    };
    await store.insertProfile({ id: 'openai-codex:c', type: 'api_key', access: 'fake-key' }, 2);
    await expect(applyImport(store, plan, { move: false, now: 3 })).rejects.toMatchObject({
      code: 'profile_exists',
      message: expect.stringContaining('rolled back, nothing imported'),
    });
    expect(await store.getProfile('openai-codex:a')).toBeNull();
    expect(await store.getProfile('anthropic:default')).toMatchObject({
      refresh: 'fake-r0',
      access: 'fake-a0',
    });
    expect(await store.listLinkedSources()).toEqual([]);
  });
});
