import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Broker, type BrokerOptions } from '../../src/broker/broker.js';
import type { Emulator } from '../../src/emulator/index.js';
import { ClawkeepError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { PENDING_DIR } from '../../src/store/rotation-journal.js';
import type { Store } from '../../src/store/types.js';
import { mint } from '../helpers/emulator.js';

export const PROFILE = 'openai-codex:f';

export interface Stats {
  refreshes: { total: number };
  rotations: number;
  reuseHits: number;
  graceHits: number;
  tokenRequests: number;
}

export async function emulatorStats(emulator: Emulator): Promise<Stats> {
  return (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
}

/**
 * A home with one OAuth profile whose access token is 60 s from expiry: inside the refresh window
 * (every broker must rotate) yet still servable while the store cannot be written.
 */
export async function seedHome(emulator: Emulator, home: string, email: string) {
  const minted = await mint(emulator, 'openai-codex', email);
  const { store } = openStore({ home });
  const now = Date.now();
  await store.insertProfile(
    {
      id: PROFILE,
      type: 'oauth',
      access: minted.access,
      refresh: minted.refresh,
      expires: now + 60_000,
      issuedAt: now - 3_600_000,
      accountId: minted.accountId,
      email: minted.email,
    },
    now,
  );
  await store.close();
  return minted;
}

/** Moves the stored access token into its refresh window, so the next broker must rotate. */
export async function ageStored(home: string): Promise<void> {
  const { store } = openStore({ home });
  try {
    const p = (await store.getProfile(PROFILE))!;
    const now = Date.now();
    await store.replaceProfile(
      {
        id: p.id,
        type: p.type,
        access: p.access,
        refresh: p.refresh,
        expires: now + 60_000,
        issuedAt: now - 3_600_000,
        accountId: p.accountId,
        email: p.email,
      },
      now,
    );
  } finally {
    await store.close();
  }
}

export function brokerFor(store: Store, emulator: Emulator, extra: Partial<BrokerOptions> = {}): Broker {
  return new Broker({ store, env: emulator.env(), leaseTtlMs: 3000, ...extra });
}

export function pendingFiles(home: string): string[] {
  try {
    return readdirSync(join(home, PENDING_DIR));
  } catch {
    return [];
  }
}

/** The user-facing shape of a failure: a clawkeep code and a message without a stack trace. */
export function describeFailure(err: unknown): { code: string; message: string } {
  if (!(err instanceof ClawkeepError)) throw err;
  return { code: err.code, message: err.message };
}

export const STORE_CODES = ['store_full', 'store_io', 'store_busy', 'store_readonly', 'store_denied'];
