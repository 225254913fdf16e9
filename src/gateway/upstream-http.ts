import { Agent, type Dispatcher, errors, request } from 'undici';
import { parseRetryAfter } from '../providers/classify.js';
import { UPSTREAM_PER_ORIGIN } from './connection-cap.js';
import type { FallbackReason } from './fallback-rules.js';

let perOrigin = UPSTREAM_PER_ORIGIN;
let agent = newAgent();

function newAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, connections: perOrigin, pipelining: 1 });
}

/** Caps pooled upstream sockets per origin to the descriptors the gateway keeps for them (at start). */
export function sizeUpstreamPool(connections: number): void {
  if (connections === perOrigin) return;
  perOrigin = connections;
  const old = agent;
  agent = newAgent();
  void old.close();
}

/** Closes pooled upstream connections (gateway shutdown), so the process can exit at once. */
export async function closeUpstreamPool(): Promise<void> {
  const old = agent;
  agent = newAgent();
  await old.close();
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  retryAfterMs: number | null;
}

export type UpstreamOutcome =
  | { ok: true; res: UpstreamResponse }
  | { ok: false; reason: FallbackReason; message: string };

/** One upstream POST; network failures and first-byte timeouts come back as fallback reasons, never thrown. */
export async function postUpstream(
  url: string,
  headers: Record<string, string>,
  body: string,
  firstByteTimeoutMs: number,
  signal?: AbortSignal,
): Promise<UpstreamOutcome> {
  try {
    const res = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher: agent,
      headersTimeout: firstByteTimeoutMs,
      bodyTimeout: 0,
      ...(signal ? { signal } : {}),
    });
    const ra = res.headers['retry-after'];
    return {
      ok: true,
      res: {
        status: res.statusCode,
        headers: res.headers,
        body: res.body,
        retryAfterMs: parseRetryAfter(typeof ra === 'string' ? ra : null),
      },
    };
  } catch (err) {
    const timeout = err instanceof errors.HeadersTimeoutError || (err as Error).name === 'TimeoutError';
    const code = (err as NodeJS.ErrnoException).code ?? (err as { cause?: { code?: string } }).cause?.code;
    const local = code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM';
    return {
      ok: false,
      reason: timeout ? 'timeout' : local ? 'local_error' : 'connect_error',
      message: (err as Error).message,
    };
  }
}
