import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop and transport headers, and the client's own credentials: never forwarded upstream. */
const NOT_FORWARDED_UP: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  // The upstream answers uncompressed, so the gateway can read and relay it as it is.
  'accept-encoding',
  'authorization',
  'x-api-key',
  'cookie',
  // Account headers come from the credential, never from the client.
  'chatgpt-account-id',
]);

/** The client's headers a pass-through forwards: all but transport, credentials and clawkeep's own. */
export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED_UP.has(name) || name.startsWith('x-clawkeep-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const NOT_FORWARDED_DOWN: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'set-cookie',
  'alt-svc',
  'date',
  'server',
]);

/** The upstream's answer headers a pass-through relays (quota, request ids, content type). */
export function forwardableResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED_DOWN.has(name)) out[name] = value;
  }
  return out;
}
