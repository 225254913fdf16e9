import type { Credential } from '../broker/broker.js';
import { type Attempt, type Candidate, failureOf } from './attempt.js';
import type { ClientFormatDescriptor } from './client-formats.js';
import type { GatewayDeps } from './deps.js';
import { reasonForStatus } from './fallback-rules.js';
import { collectResponse } from './formats/collect.js';
import type { IrEvent, IrRequest, IrResponse, IrTool, IrUsage } from './formats/ir.js';
import { forwardableResponseHeaders } from './headers.js';
import { passThroughBody } from './passthrough.js';
import { observeQuota } from './quota/observe.js';
import { scrubSecrets } from './scrub.js';
import type { CallWithCredential } from './send.js';
import { postUpstream, type UpstreamResponse } from './upstream-http.js';
import { readUsage } from './usage/read-usage.js';
import { collectResponseObject } from './wire/openai-responses.js';
import { parseSse } from './wire/sse.js';

/** One client request, as every candidate sees it. */
export interface ClientRequest {
  format: ClientFormatDescriptor;
  json: Record<string, unknown>;
  stream: boolean;
  /** The client's own headers, for a pass-through. */
  forwarded: Record<string, string>;
  /** The neutral request, parsed on first use (only translation needs it). */
  ir(): IrRequest;
}

type Relayed = Record<string, string | string[]>;

/** A served answer, ready to write; `dropped` names the client fields the upstream did not get. */
export type Served =
  | { mode: 'pipe'; res: UpstreamResponse; headers: Relayed; dropped: string[] }
  | {
      mode: 'body';
      status: number;
      body: string;
      headers: Relayed;
      dropped: string[];
      usage: IrUsage | null;
    }
  | { mode: 'stream'; first: IrEvent; rest: AsyncIterator<IrEvent>; tools: IrTool[]; dropped: string[] }
  | { mode: 'json'; response: IrResponse; tools: IrTool[]; dropped: string[] };

/**
 * The innermost call of the chain: forwards the client's request as written where the upstream speaks
 * its format (credential, model and the upstream's adjustments changed), translates it otherwise, and
 * judges the answer: 2xx serves, fallback statuses move on, other answers are the client's.
 */
export function upstreamCall(
  req: ClientRequest,
  deps: Pick<GatewayDeps, 'baseUrl' | 'config' | 'quotas' | 'metrics'>,
): CallWithCredential<Served> {
  return async function callUpstream(c, cred) {
    const base = deps.baseUrl(c.target.provider);
    if (!base) {
      const env = `CLAWKEEP_${c.target.provider.toUpperCase().replace(/-/g, '_')}_BASE_URL`;
      return next(
        c,
        'connect_error',
        `no base URL for ${c.target.provider}; set ${env} or providers.${c.target.provider}.baseUrl`,
      );
    }
    const native = c.adapter.native[req.format.id];
    let path: string;
    let body: string;
    let headers: Record<string, string>;
    const dropped: string[] = [];
    if (native) {
      const pass = passThroughBody(req.json, c.target.model, native.adjustments);
      dropped.push(...pass.dropped);
      path = native.path;
      body = pass.body;
      headers = c.adapter.credentialHeaders(cred, req.forwarded);
    } else {
      const ir = req.ir();
      dropped.push(...ir.dropped);
      const route = c.adapter.translated;
      path = route.path;
      body = JSON.stringify(route.body(ir, c.target.model, (f) => dropped.push(f)));
      headers = c.adapter.credentialHeaders(cred, route.headers(ir));
    }
    const out = await postUpstream(`${base}${path}`, headers, body, deps.config.gateway.firstByteTimeoutMs);
    if (!out.ok) return next(c, out.reason, out.message);
    const up = out.res;
    // Every answer, a 429 included, says how much of the login's quota is left.
    observeQuota(deps, c.profileId, c.target.provider, up.headers);
    if (up.status < 200 || up.status >= 300) return judgeError(c, up, req, cred, !!native);
    if (!native) return translated(c, up, req, dropped);
    const relayed = forwardableResponseHeaders(up.headers);
    if (!native.alwaysStreams || req.stream)
      return served({ mode: 'pipe', res: up, headers: relayed, dropped });
    const collected = await collectResponseObject(parseSse(up.body));
    if (!collected.ok) return next(c, 'stream_error', collected.message);
    relayed['content-type'] = 'application/json';
    return served({
      mode: 'body',
      status: 200,
      body: JSON.stringify(collected.response),
      headers: relayed,
      dropped,
      usage: readUsage(collected.response),
    });
  };
}

function served(value: Served): Attempt<Served> {
  return { kind: 'served', value };
}

function next(
  c: Candidate,
  reason: Parameters<typeof failureOf>[1],
  detail: string,
  retryAfterMs: number | null = null,
): Attempt<Served> {
  return { kind: 'next', failure: failureOf(c, reason, detail, retryAfterMs) };
}

/** A non-2xx answer: a fallback status moves on; any other is the client's, scrubbed of the credential. */
async function judgeError(
  c: Candidate,
  up: UpstreamResponse,
  req: ClientRequest,
  cred: Credential,
  native: boolean,
): Promise<Attempt<Served>> {
  const reason = reasonForStatus(up.status);
  if (reason) {
    await up.body.dump();
    return next(c, reason, `upstream answered ${up.status}`, up.retryAfterMs);
  }
  const text = scrubSecrets(await up.body.text(), [cred.access]);
  if (native) {
    const contentType = String(up.headers['content-type'] ?? 'application/json');
    return { kind: 'final', status: up.status, body: text, contentType };
  }
  // A translated request gets the upstream's refusal in its own format.
  const { code, message } = readUpstreamError(text, up.status);
  return {
    kind: 'final',
    status: up.status,
    body: req.format.errorBody(up.status, code, `${c.target.provider}: ${message}`),
    contentType: 'application/json',
  };
}

/** The code and message of an OpenAI- or Anthropic-shaped error body (or the raw text, shortened). */
export function readUpstreamError(text: string, status: number): { code: string; message: string } {
  try {
    const json = JSON.parse(text) as { error?: { code?: unknown; type?: unknown; message?: unknown } };
    const e = json.error;
    if (e && typeof e === 'object') {
      const code =
        typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : `upstream_${status}`;
      return { code, message: typeof e.message === 'string' ? e.message : text.slice(0, 500) };
    }
  } catch {
    // not JSON: the text itself
  }
  return { code: `upstream_${status}`, message: text.slice(0, 500) || `upstream answered ${status}` };
}

async function translated(
  c: Candidate,
  up: UpstreamResponse,
  req: ClientRequest,
  dropped: string[],
): Promise<Attempt<Served>> {
  const events = c.adapter.translated.parse(parseSse(up.body))[Symbol.asyncIterator]();
  if (req.stream) {
    const first = await events.next();
    if (first.done) {
      up.body.destroy();
      return next(c, 'stream_error', 'upstream stream ended at once');
    }
    if (first.value.type === 'error') {
      up.body.destroy();
      return next(c, 'stream_error', first.value.message);
    }
    return served({ mode: 'stream', first: first.value, rest: events, tools: req.ir().tools, dropped });
  }
  try {
    const response = await collectResponse({ [Symbol.asyncIterator]: () => events });
    return served({ mode: 'json', response, tools: req.ir().tools, dropped });
  } catch (err) {
    // Nothing was sent to the client yet, so a broken upstream stream can still fall back.
    return next(c, 'stream_error', (err as Error).message);
  }
}
