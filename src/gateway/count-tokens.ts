import type { IncomingHttpHeaders } from 'node:http';
import type { Candidate } from './attempt.js';
import type { GatewayDeps } from './deps.js';
import { forwardableRequestHeaders, forwardableResponseHeaders } from './headers.js';
import { scrubSecrets } from './scrub.js';
import { postUpstream } from './upstream-http.js';

/** Roughly four characters a token, as Anthropic's own guidance for English text and code. */
const CHARS_PER_TOKEN = 4;

export interface CountAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[]>;
  /** `upstream` when Anthropic counted, `estimate` when the gateway did. */
  source: 'upstream' | 'estimate';
}

/**
 * Answers `POST /v1/messages/count_tokens`: passed through to Anthropic when the chain's first
 * target that can be tried is Anthropic, else (or when that fails) a local estimate. Never a billed
 * model call.
 */
export async function countTokens(
  json: Record<string, unknown>,
  headers: IncomingHttpHeaders,
  candidates: readonly Candidate[],
  deps: Pick<GatewayDeps, 'broker' | 'baseUrl' | 'cooldowns' | 'config'>,
): Promise<CountAnswer> {
  const c = candidates.find((x) => !deps.cooldowns.get(x.profileId, x.target.model));
  const base = c && c.target.provider === 'anthropic' ? deps.baseUrl('anthropic') : null;
  if (c && base) {
    try {
      const cred = await deps.broker.getCredential(c.profileId);
      const out = await postUpstream(
        `${base}/v1/messages/count_tokens`,
        c.adapter.credentialHeaders(cred, forwardableRequestHeaders(headers)),
        JSON.stringify({ ...json, model: c.target.model }),
        deps.config.gateway.firstByteTimeoutMs,
      );
      if (out.ok && out.res.status < 500 && out.res.status !== 401 && out.res.status !== 429) {
        return {
          status: out.res.status,
          body: scrubSecrets(await out.res.body.text(), [cred.access]),
          headers: forwardableResponseHeaders(out.res.headers),
          source: 'upstream',
        };
      }
      if (out.ok) await out.res.body.dump();
    } catch {
      // the estimate below answers instead
    }
  }
  return {
    status: 200,
    body: JSON.stringify({ input_tokens: estimateInputTokens(json) }),
    headers: { 'content-type': 'application/json' },
    source: 'estimate',
  };
}

/** A local estimate of a Messages request's input tokens: its system, messages and tools as text. */
export function estimateInputTokens(json: Record<string, unknown>): number {
  let chars = 0;
  for (const field of ['system', 'messages', 'tools'] as const) {
    const v = json[field];
    if (v !== undefined) chars += typeof v === 'string' ? v.length : JSON.stringify(v).length;
  }
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}
