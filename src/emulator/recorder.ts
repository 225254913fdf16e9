import type { IncomingHttpHeaders } from 'node:http';
import { fingerprint } from '../util/fingerprint.js';

/** One model-endpoint request as it reached the emulator; secrets are replaced by fingerprints. */
export interface RecordedRequest {
  /** 1 for the first request this emulator recorded; never reused, even after a clear. */
  seq: number;
  /** ISO time of arrival. */
  at: string;
  method: string;
  /** Path with the query string, as sent. */
  path: string;
  /** Lower-cased names; `authorization` and `x-api-key` hold `fp:<fingerprint>` instead of the secret. */
  headers: Record<string, string>;
  /** The parsed JSON body; null when there was none or it did not parse. */
  body: unknown;
  /** The status the emulator answered; absent while the answer is still being written. */
  status?: number;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'cookie']);

/** Keeps the last `capacity` model-endpoint requests, oldest first (`GET /_emulator/requests`). */
export class RequestRecorder {
  readonly #capacity: number;
  #entries: RecordedRequest[] = [];
  #seq = 0;

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  /** Stores a request; the returned entry is the stored one, so its `status` can be filled in later. */
  record(method: string, path: string, headers: IncomingHttpHeaders, body: unknown): RecordedRequest {
    this.#seq += 1;
    const entry: RecordedRequest = {
      seq: this.#seq,
      at: new Date().toISOString(),
      method,
      path,
      headers: redactHeaders(headers),
      body: body ?? null,
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
    return entry;
  }

  /** Copies of the kept requests; `path` keeps those whose path (without query) equals it, or starts with it when it ends in `*`. */
  list(path?: string): RecordedRequest[] {
    const matches = (p: string) => {
      if (path === undefined || path === '') return true;
      const bare = p.split('?')[0] ?? p;
      return path.endsWith('*') ? bare.startsWith(path.slice(0, -1)) : bare === path;
    };
    return structuredClone(this.#entries.filter((e) => matches(e.path)));
  }

  clear(): void {
    this.#entries = [];
  }
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = SECRET_HEADERS.has(name) ? redactSecret(text) : text;
  }
  return out;
}

function redactSecret(value: string): string {
  const bearer = /^(Bearer|Basic)\s+(.+)$/i.exec(value.trim());
  return bearer ? `${bearer[1]} fp:${fingerprint(bearer[2])}` : `fp:${fingerprint(value)}`;
}
