import type { IncomingMessage, ServerResponse } from 'node:http';
import { isClawkeepError } from '../errors.js';
import { refusalMessage } from '../providers/serving-policy.js';
import type { ClientRecord } from '../store/types.js';
import { announceFallbacks, skippedHeader } from './announce.js';
import type { Failure, Skip } from './attempt.js';
import { expandCandidates } from './candidates.js';
import { type ClientFormatDescriptor, RESPONSES } from './client-formats.js';
import type { GatewayDeps } from './deps.js';
import type { IrRequest } from './formats/ir.js';
import { checkModelName } from './guards.js';
import { forwardableRequestHeaders } from './headers.js';
import { conversationKey, responseConversation } from './pool.js';
import { readJsonBody } from './request-body.js';
import { firstByteObserver, writeServed } from './respond.js';
import { resolveRoute } from './routing.js';
import { runChain, withCooldown, withCredential } from './send.js';
import { type ClientRequest, upstreamCall } from './upstream-call.js';

/** Serves one model request (chat completions, responses, messages) through the client's chain. */
export async function handleModelRequest(
  format: ClientFormatDescriptor,
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientRecord,
  deps: GatewayDeps,
): Promise<void> {
  const started = performance.now();
  let status = 500;
  let targetLabel = 'none';
  let chain: string | null = null;
  let fallback: string | null = null;
  let errorCode: string | null = null;
  try {
    const json = await readJsonBody(req, {
      maxBytes: deps.config.gateway.maxBodyBytes,
      maxDepth: deps.config.gateway.maxJsonDepth,
    });
    const model = format.readModel(json);
    checkModelName(model);
    const route = resolveRoute(model, client.chain, deps.config);
    chain = route.chain;
    const conversation = conversationKey(json, req.headers, client.name);
    const { candidates, skipped, moves, refused } = await expandCandidates(route, deps, client, conversation);
    if (candidates.length === 0 && refused.length > 0) {
      // Only logins this client may not use could serve it: a refusal that names the rule and the fix.
      status = 403;
      errorCode = 'subscription_not_allowed';
      const skippedValue = skippedHeader(skipped);
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(skippedValue ? { 'x-clawkeep-skipped': skippedValue } : {}),
      });
      res.end(format.errorBody(status, errorCode, refusalMessage(refused, client)));
      return;
    }
    let ir: IrRequest | null = null;
    const request: ClientRequest = {
      format,
      json,
      stream: format.readStream(json),
      forwarded: forwardableRequestHeaders(req.headers),
      ir: () => {
        ir ??= format.codec.parse(json);
        return ir;
      },
    };
    const send = withCooldown(deps, withCredential(deps, upstreamCall(request, deps)));
    const outcome = await runChain(candidates, send);
    outcome.failures.unshift(...moves);
    const skippedValue = skippedHeader(skipped);
    const meta = { client: client.name, chain };
    if (outcome.kind === 'exhausted') {
      fallback = announceFallbacks(outcome.failures, null, meta, deps);
      // Every login left out for quota (and nothing else tried): the client waits for the first reset.
      const quotaWaitMs =
        candidates.length === 0 && skipped.length > 0 && skipped.every((s) => s.retryAt !== undefined)
          ? Math.min(...skipped.map((s) => s.retryAt ?? 0)) - Date.now()
          : null;
      const waiting = outcome.allCooling || quotaWaitMs !== null;
      status = waiting || outcome.failures.at(-1)?.reason === 'rate_limited' ? 429 : 502;
      const retryAfter = waiting
        ? Math.max(1, Math.ceil((quotaWaitMs ?? outcome.retryAfterMs ?? 1000) / 1000))
        : null;
      errorCode = outcome.allCooling
        ? 'all_targets_cooling'
        : quotaWaitMs !== null
          ? 'quota_exhausted'
          : 'all_targets_failed';
      const what = chain ? `chain ${chain}` : model;
      const message = outcome.allCooling
        ? `every target of ${what} is cooling down; retry after ${retryAfter}s`
        : quotaWaitMs !== null
          ? `every login of ${what} has used up its quota; retry after ${retryAfter}s (${summarize([], skipped)})`
          : `no target could serve ${what}: ${summarize(outcome.failures, skipped)}`;
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
        ...(fallback ? { 'x-clawkeep-fallback': fallback } : {}),
        ...(skippedValue ? { 'x-clawkeep-skipped': skippedValue } : {}),
      });
      res.end(format.errorBody(status, errorCode, message));
      return;
    }
    const c = outcome.candidate;
    deps.picker.settle(c.target, conversation, c.profileId);
    targetLabel = `${c.target.provider}/${c.target.model}`;
    deps.labels.served(targetLabel);
    fallback = announceFallbacks(outcome.failures, c.label, meta, deps);
    const headers: Record<string, string> = {
      'x-clawkeep-target': targetLabel,
      'x-clawkeep-profile': c.profileId,
      ...(chain ? { 'x-clawkeep-chain': chain } : {}),
      ...(fallback ? { 'x-clawkeep-fallback': fallback } : {}),
      ...(skippedValue ? { 'x-clawkeep-skipped': skippedValue } : {}),
    };
    if (outcome.kind === 'final') {
      status = outcome.status;
      deps.usage.record(client.name, deps.labels.target(targetLabel), null);
      res.writeHead(status, { 'content-type': outcome.contentType, ...headers });
      res.end(outcome.body);
      return;
    }
    const dropped = outcome.value.dropped;
    if (dropped.length > 0) {
      headers['x-clawkeep-dropped'] = dropped.join(', ');
      deps.log.debug({ client: client.name, target: targetLabel, dropped }, 'fields dropped in translation');
    }
    status = 200;
    const includeUsage =
      (json.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    await writeServed(
      outcome.value,
      format,
      {
        model: model || targetLabel,
        includeUsage,
        headers,
        onUsage: (u) => deps.usage.record(client.name, deps.labels.target(targetLabel), u),
        // A stored response lives on the login that created it: a continuation must go there.
        ...(format === RESPONSES
          ? {
              onResponseId: (id: string) =>
                deps.picker.settle(c.target, responseConversation(id), c.profileId),
            }
          : {}),
      },
      res,
      firstByteObserver(deps.metrics, deps.labels.target(targetLabel), started),
    );
  } catch (err) {
    status = isClawkeepError(err) ? err.status : 500;
    errorCode = isClawkeepError(err) ? err.code : 'internal_error';
    if (!res.headersSent) {
      const message = isClawkeepError(err) ? err.message : 'internal error';
      if (!isClawkeepError(err)) deps.log.error({ err: (err as Error).message }, 'request failed');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(format.errorBody(status, errorCode, message));
    } else {
      res.destroy();
    }
  } finally {
    const ms = performance.now() - started;
    deps.metrics.requests.inc({
      client: client.name,
      chain: chain ?? '-',
      target: deps.labels.target(targetLabel),
      status: String(status),
    });
    const line = {
      client: client.name,
      chain,
      target: targetLabel,
      status,
      latencyMs: Math.round(ms * 10) / 10,
      fallback,
      ...(errorCode ? { code: errorCode } : {}),
    };
    if (status >= 400) deps.log.warn(line, 'request');
    else deps.log.info(line, 'request');
  }
}

function summarize(failures: readonly Failure[], skipped: readonly Skip[]): string {
  const parts = [
    ...failures.map((f) => `${f.label}: ${f.reason} (${f.detail})`),
    ...skipped.map((s) => `${s.label}: skipped (${s.detail})`),
  ];
  return parts.length > 0 ? parts.join('; ') : 'the chain has no usable target';
}
