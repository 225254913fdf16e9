import type { ProfileView } from '../store/profile-view.js';
import { formatCountdown, statusMark } from './output.js';

/** `profiles show` for a person: labelled lines, relative times first, never a token. */
export function formatProfileDetails(v: ProfileView, now: number): string[] {
  const at = (ms: number) => new Date(ms).toISOString();
  const ago = (ms: number) => `${formatCountdown(Math.round((now - ms) / 1000)).replace(/^in /, '')} ago`;
  const account = [v.email, v.accountId && `account ${v.accountId}`].filter(Boolean).join(', ');
  const rows: Array<[string, string]> = [
    ['profile', v.id],
    ['provider', v.provider],
    ['type', v.type === 'api_key' ? 'API key' : v.type === 'oauth' ? 'OAuth login' : 'token'],
    ['account', account || '-'],
    ['status', v.statusReason ? `${statusMark(v.status)} (${v.statusReason})` : statusMark(v.status)],
    ['generation', `${v.generation} (rotations so far + 1)`],
    [v.type === 'api_key' ? 'key' : 'access token', `fingerprint ${v.accessFp}`],
    ...(v.type === 'oauth' ? [['refresh token', `fingerprint ${v.refreshFp}`] as [string, string]] : []),
    [
      'expires',
      v.expires === null
        ? 'never'
        : `${v.expires > now ? 'in ' : ''}${formatCountdown(v.expiresInSeconds).replace(/^in /, '')} (${at(v.expires)})`,
    ],
    ['last rotation', v.rotatedAt === null ? 'never' : `${ago(v.rotatedAt)} (${at(v.rotatedAt)})`],
    ['refresh lease', v.lease ? `held by ${v.lease.owner} until ${at(v.lease.until)}` : 'none'],
    ['updated', `${ago(v.updatedAt)} (${at(v.updatedAt)})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, val]) => `${k.padEnd(width)}  ${val}`);
}
