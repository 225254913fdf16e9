import { randomInt } from 'node:crypto';
import type { Account } from './accounts.js';
import { type OAuthProviderId, randomChars } from './tokens.js';

export const DEVICE_CODE_TTL_SECONDS = 900;
export const DEVICE_POLL_INTERVAL_SECONDS = 1;

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

interface PendingDevice {
  provider: OAuthProviderId;
  clientId: string;
  userCode: string;
  expiresAt: number;
  account: Account | null;
}

export type DevicePoll =
  | { status: 'approved'; account: Account }
  | { status: 'pending' }
  | { status: 'expired' }
  | { status: 'unknown' };

/** RFC 8628 device authorizations: started by the client, approved by the emulated user, redeemed once. */
export class DeviceCodes {
  #byDeviceCode = new Map<string, PendingDevice>();
  #byUserCode = new Map<string, string>();

  start(provider: OAuthProviderId, clientId: string, now: number): { deviceCode: string; userCode: string } {
    const deviceCode = randomChars(32);
    const userCode = newUserCode();
    this.#byDeviceCode.set(deviceCode, {
      provider,
      clientId,
      userCode,
      expiresAt: now + DEVICE_CODE_TTL_SECONDS * 1000,
      account: null,
    });
    this.#byUserCode.set(normalize(userCode), deviceCode);
    return { deviceCode, userCode };
  }

  /** The user approves `userCode`; false when it is unknown, expired or already approved. */
  approve(provider: OAuthProviderId, userCode: string, account: Account, now: number): boolean {
    const deviceCode = this.#byUserCode.get(normalize(userCode));
    const pending = deviceCode === undefined ? undefined : this.#byDeviceCode.get(deviceCode);
    if (!pending || pending.provider !== provider || pending.expiresAt <= now || pending.account) {
      return false;
    }
    pending.account = account;
    return true;
  }

  poll(provider: OAuthProviderId, deviceCode: string, clientId: string, now: number): DevicePoll {
    const pending = this.#byDeviceCode.get(deviceCode);
    if (!pending || pending.provider !== provider || pending.clientId !== clientId) {
      return { status: 'unknown' };
    }
    if (pending.expiresAt <= now) return { status: 'expired' };
    if (!pending.account) return { status: 'pending' };
    this.#byDeviceCode.delete(deviceCode);
    this.#byUserCode.delete(normalize(pending.userCode));
    return { status: 'approved', account: pending.account };
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
