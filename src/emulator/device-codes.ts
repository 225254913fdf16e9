import { randomInt } from 'node:crypto';
import type { Account } from './accounts.js';
import { newId, type OAuthProviderId } from './tokens.js';

/** Codex CLI gives up after 15 minutes; the emulated server forgets a code then too. */
export const DEVICE_CODE_TTL_SECONDS = 900;
/** OpenAI answers 5 (as a string); the emulator answers 1 so tests do not wait. */
export const DEVICE_POLL_INTERVAL_SECONDS = 1;

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

interface PendingDevice {
  provider: OAuthProviderId;
  userCode: string;
  expiresAt: number;
  account: Account | null;
}

export type DevicePoll =
  | { status: 'approved'; account: Account }
  | { status: 'pending' }
  | { status: 'unknown' };

/**
 * OpenAI's device authorizations (`/api/accounts/deviceauth/*`): started by the client, approved by
 * the emulated user on the verification page, redeemed once by polling with `device_auth_id` and
 * `user_code` together.
 */
export class DeviceCodes {
  #byId = new Map<string, PendingDevice>();
  #byUserCode = new Map<string, string>();

  start(provider: OAuthProviderId, now: number): { deviceAuthId: string; userCode: string } {
    const deviceAuthId = newId('deviceauth', 16);
    const userCode = newUserCode();
    this.#byId.set(deviceAuthId, {
      provider,
      userCode,
      expiresAt: now + DEVICE_CODE_TTL_SECONDS * 1000,
      account: null,
    });
    this.#byUserCode.set(normalize(userCode), deviceAuthId);
    return { deviceAuthId, userCode };
  }

  /** The user approves `userCode`; false when it is unknown, expired or already approved. */
  approve(provider: OAuthProviderId, userCode: string, account: Account, now: number): boolean {
    const id = this.#byUserCode.get(normalize(userCode));
    const pending = id === undefined ? undefined : this.#byId.get(id);
    if (!pending || pending.provider !== provider || pending.expiresAt <= now || pending.account) {
      return false;
    }
    pending.account = account;
    return true;
  }

  /** One poll: the pair must match; an approved authorization is handed out once, then forgotten. */
  poll(provider: OAuthProviderId, deviceAuthId: string, userCode: string, now: number): DevicePoll {
    const pending = this.#byId.get(deviceAuthId);
    if (!pending || pending.provider !== provider || normalize(pending.userCode) !== normalize(userCode)) {
      return { status: 'unknown' };
    }
    if (pending.expiresAt <= now) {
      this.#forget(deviceAuthId, pending);
      return { status: 'unknown' };
    }
    if (!pending.account) return { status: 'pending' };
    this.#forget(deviceAuthId, pending);
    return { status: 'approved', account: pending.account };
  }

  #forget(id: string, pending: PendingDevice): void {
    this.#byId.delete(id);
    this.#byUserCode.delete(normalize(pending.userCode));
  }
}

function newUserCode(): string {
  const pick = () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  const part = () => Array.from({ length: 4 }, pick).join('');
  return `${part()}-${part()}`;
}

function normalize(userCode: string): string {
  return userCode.replace(/[^a-z]/gi, '').toUpperCase();
}
