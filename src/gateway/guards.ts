import { isIP } from 'node:net';
import { ClawkeepError } from '../errors.js';

/**
 * The gateway's limits on what a client may send, each cheap enough to run before any parse or
 * upstream call: model names, JSON nesting, in-flight requests per client key, the Host header.
 */

const MAX_MODEL_LENGTH = 256;

/** A model name must be printable Latin-1: anything else would reach an upstream header or label. */
export function checkModelName(model: string): void {
  if (model.length > MAX_MODEL_LENGTH) {
    throw new ClawkeepError('usage', `model: longer than ${MAX_MODEL_LENGTH} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f-\u009f]|[^\u0000-\u00ff]/.test(model)) {
    throw new ClawkeepError('usage', 'model: only printable Latin-1 characters are allowed');
  }
}

/** Whether `buf` (JSON text) nests arrays and objects deeper than `max`, without parsing it. */
export function jsonTooDeep(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** Counts model requests in flight per client; past the cap a request is refused at once. */
export class ClientConcurrency {
  #inFlight = new Map<string, number>();
  #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a slot, or returns false when the client already has `max` requests in flight. */
  acquire(client: string): boolean {
    const n = this.#inFlight.get(client) ?? 0;
    if (n >= this.#max) return false;
    this.#inFlight.set(client, n + 1);
    return true;
  }

  release(client: string): void {
    const n = (this.#inFlight.get(client) ?? 1) - 1;
    if (n <= 0) this.#inFlight.delete(client);
    else this.#inFlight.set(client, n);
  }
}

/** Whether a bind address or host name is loopback (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

/** The host name of a Host header value, without its port. */
export function hostName(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/**
 * DNS-rebinding guard: a loopback gateway answers only loopback Host names and configured ones; a
 * gateway bound elsewhere checks Host only when names are configured (its client keys guard it).
 */
export function hostAllowed(header: string | undefined, bind: string, allowed: readonly string[]): boolean {
  if (!header) return false;
  const name = hostName(header).toLowerCase();
  if (allowed.some((a) => a.toLowerCase() === name)) return true;
  if (isLoopback(name)) return true;
  if (!isLoopback(bind)) return allowed.length === 0;
  return false;
}
