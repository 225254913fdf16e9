import { ClawkeepError } from '../errors.js';

/** `--port`: a whole number 0-65535 (0 = any free port). */
export function parsePortFlag(text: string, flag = '--port'): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ClawkeepError('usage', `${flag} ${text}: expected a port number 0-65535 (0 = any free port)`);
  }
  return n;
}

/** `--host`: a non-empty address or name. */
export function parseHostFlag(text: string, flag = '--host'): string {
  if (!text.trim()) throw new ClawkeepError('usage', `${flag}: expected a host name or address`);
  return text.trim();
}
