import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createDoctorContext } from './context.js';
import { findTakeover } from './takeovers.js';

describe('takeovers: what import --move recorded, as the doctor reads it', () => {
  let dir: string;
  let store: SqliteStore;
  const agent = () => join(dir, 'state/agents/main/agent');
  const moved = (id: string) => [{ kind: 'openclaw-agent', location: `${agent()}#${id}` }];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-takeovers-'));
    mkdirSync(agent(), { recursive: true });
    mkdirSync(join(dir, 'home'), { mode: 0o700 });
    store = new SqliteStore(join(dir, 'home/clawkeep.sqlite'));
    for (const id of ['openai-codex:default', 'anthropic:work']) {
      await store.insertProfile(
        { id, type: 'oauth', access: 'fake-a', refresh: `fake-r-${id}`, expires: 2e12, issuedAt: 1 },
        1,
      );
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const takeovers = () =>
    createDoctorContext({
      clawkeepHome: join(dir, 'home'),
      openclawHomes: [],
      command: 'clawkeep',
    }).takeovers();

  it('a --move names the agent store; the match ignores the openai-codex → openai rename', async () => {
    await store.appendEvent(
      {
        profileId: 'openai-codex:default',
        kind: 'imported',
        data: { move: true, moved: moved('openai:default') },
      },
      5,
    );
    const t = takeovers() ?? [];
    expect(t).toEqual([
      { profileId: 'openai-codex:default', agentDir: agent(), openclawId: 'openai:default', at: 5 },
    ]);
    expect(findTakeover(t, agent(), 'openai-codex:default')).not.toBeNull();
    expect(findTakeover(t, agent(), 'anthropic:work')).toBeNull();
  });

  it('a later import without --move (linked) ends it; a move without locations, or of a removed profile, is none', async () => {
    await store.appendEvent(
      { profileId: 'anthropic:work', kind: 'imported', data: { move: true, moved: moved('anthropic:work') } },
      5,
    );
    await store.appendEvent(
      {
        profileId: 'anthropic:work',
        kind: 'imported',
        data: { move: false, linked: moved('anthropic:work') },
      },
      6,
    );
    await store.appendEvent({ profileId: 'openai-codex:default', kind: 'imported', data: { move: true } }, 7);
    expect(takeovers()).toEqual([]);
    await store.appendEvent(
      { profileId: 'openai-codex:default', kind: 'imported', data: { move: true, moved: moved('openai:x') } },
      8,
    );
    expect(takeovers()).toHaveLength(1);
    await store.removeProfile('openai-codex:default', 9);
    expect(takeovers()).toEqual([]);
  });
});
