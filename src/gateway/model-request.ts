import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import type { ClientRecord } from '../store/types.js';
import { CLIENT_CODECS } from './client-codecs.js';
import {
  type Attempt,
  announceFallbacks,
  type Candidate,
  type DispatchDeps,
  dispatch,
  expandCandidates,
  type Failure,
  judgeStatus,
} from './dispatch.js';
import { errorBody } from './error-body.js';
import { collectResponse } from './formats/collect.js';
import type { ClientFormat, IrEvent, IrRequest, IrResponse } from './formats/ir.js';
import { resolveRoute } from './routing.js';
import type { UpstreamResponse } from './upstream-http.js';
import { parseSse } from './wire/sse.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

type Served =
  | { mode: 'pipe'; res: UpstreamResponse }
  | { mode: 'stream'; first: IrEvent; rest: AsyncIterator<IrEvent> }
  | { mode: 'json'; response: IrResponse };

/** Serves POST /v1/chat/completions, /v1/responses and /v1/messages through the client's chain. */
export async function handleModelRequest(
  format: ClientFormat,
  req: IncomingMessage,
  res: ServerResponse,
  client: ClientRecord,
  deps: DispatchDeps,
): Promise<void> {
  const started = performance.now();
  let status = 500;
  let targetLabel = 'none';
  let chain: string | null = null;
  let fallbackHeader: string | null = null;
  try {
    const json = await readJson(req);
    const model = typeof json.model === 'string' ? json.model : '';
    const stream = json.stream === true;
    const route = resolveRoute(model, client.chain, deps.config);
    chain = route.chain;
    const { candidates, skipped } = await expandCandidates(route, deps);
    const codec = CLIENT_CODECS[format];
    let ir: IrRequest | null = null;
    const irOf = () => {
      ir ??= codec.parse(json);
      return ir;
    };
    const outcome = await dispatch<Served>(candidates, skipped, deps, async (c, cred, send) => {
      const pass = c.adapter.wire === format && c.adapter.canPassThrough(cred);
      const body = pass
        ? JSON.stringify({ ...json, model: c.target.model })
        : JSON.stringify(c.adapter.body(irOf(), c.target.model, cred));
      const sent = await send(body);
      if (!sent.ok) return { kind: 'next', failure: sent.failure };
      return judge(c, sent.res, pass, stream);
    });
    if (outcome.kind === 'exhausted') {
      fallbackHeader = announceFallbacks(outcome.failures, null, { client: client.name, chain }, deps);
      status = outcome.allCooling || outcome.failures.at(-1)?.reason === 'rate_limited' ? 429 : 502;
      const retryAfter = outcome.allCooling
        ? Math.max(1, Math.ceil((outcome.retryAfterMs ?? 1000) / 1000))
        : null;
      const code = outcome.allCooling ? 'all_targets_cooling' : 'all_targets_failed';
      const message = outcome.allCooling
        ? `every target of ${chain ? `chain ${chain}` : model} is cooling down; retry after ${retryAfter}s`
        : `no target could serve ${chain ? `chain ${chain}` : model}: ${summarize(outcome.failures)}`;
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
        ...(fallbackHeader ? { 'x-clawkeep-fallback': fallbackHeader } : {}),
      });
      res.end(errorBody(format, status, code, message));
      return;
    }
    const c = outcome.candidate;
    targetLabel = `${c.target.provider}/${c.target.model}`;
    fallbackHeader = announceFallbacks(outcome.failures, c.label, { client: client.name, chain }, deps);
    const headers: Record<string, string> = {
      'x-clawkeep-target': targetLabel,
      'x-clawkeep-profile': c.profileId,
      ...(chain ? { 'x-clawkeep-chain': chain } : {}),
      ...(fallbackHeader ? { 'x-clawkeep-fallback': fallbackHeader } : {}),
    };
    if (outcome.kind === 'final') {
      status = outcome.status;
      res.writeHead(status, { 'content-type': outcome.contentType, ...headers });
      res.end(outcome.body);
      return;
    }
    status = 200;
    await writeServed(
      outcome.value,
      format,
      model || targetLabel,
      json,
      res,
      headers,
      deps,
      started,
      targetLabel,
    );
  } catch (err) {
    status = isClawkeepError(err) ? err.status : 500;
    if (!res.headersSent) {
      const code = isClawkeepError(err) ? err.code : 'internal_error';
      const message = isClawkeepError(err) ? err.message : 'internal error';
      if (!isClawkeepError(err)) deps.log.error({ err: (err as Error).message }, 'request failed');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(errorBody(format, status, code, message));
    } else {
      res.destroy();
    }
  } finally {
    const ms = performance.now() - started;
    deps.metrics.requests.inc({
      client: client.name,
      chain: chain ?? '-',
      target: targetLabel,
      status: String(status),
    });
    deps.log.info(
      {
        client: client.name,
        chain,
        target: targetLabel,
        status,
        latencyMs: Math.round(ms * 10) / 10,
        fallback: fallbackHeader,
      },
      'request',
    );
  }
}

async function judge(
  c: Candidate,
  up: UpstreamResponse,
  pass: boolean,
  stream: boolean,
): Promise<Attempt<Served>> {
  const verdict = judgeStatus(c, up);
  if (verdict === 'final') {
    const text = await up.body.text();
    const ct = String(up.headers['content-type'] ?? 'application/json');
    return { kind: 'final', status: up.status, body: text, contentType: ct };
  }
  if (verdict !== 'ok') {
    await up.body.dump();
    return { kind: 'next', failure: verdict };
  }
  if (pass) return { kind: 'served', value: { mode: 'pipe', res: up } };
  const events = c.adapter.parse(parseSse(up.body))[Symbol.asyncIterator]();
  if (stream) {
    const first = await events.next();
    if (first.done) {
      up.body.destroy();
      return { kind: 'next', failure: streamFailure(c, 'upstream stream ended at once') };
    }
    if (first.value.type === 'error') {
      up.body.destroy();
      return { kind: 'next', failure: streamFailure(c, first.value.message) };
    }
    return { kind: 'served', value: { mode: 'stream', first: first.value, rest: events } };
  }
  try {
    return {
      kind: 'served',
      value: { mode: 'json', response: await collectResponse({ [Symbol.asyncIterator]: () => events }) },
    };
  } catch (err) {
    // Nothing was sent to the client yet, so a broken upstream stream can still fall back.
    return { kind: 'next', failure: streamFailure(c, (err as Error).message) };
  }
}

function streamFailure(c: Candidate, detail: string): Failure {
  return { label: c.label, profileId: c.profileId, reason: 'stream_error', detail, retryAfterMs: null };
}

async function writeServed(
  served: Served,
  format: ClientFormat,
  model: string,
  json: Record<string, unknown>,
  res: ServerResponse,
  headers: Record<string, string>,
  deps: DispatchDeps,
  started: number,
  target: string,
): Promise<void> {
  const codec = CLIENT_CODECS[format];
  if (served.mode === 'pipe') {
    const type = String(served.res.headers['content-type'] ?? 'application/json');
    deps.metrics.latency.observe({ target }, (performance.now() - started) / 1000);
    if (!type.startsWith('text/event-stream')) {
      // A whole JSON answer: one write with a length beats piping a few small chunks.
      const buf = Buffer.from(await served.res.body.arrayBuffer());
      res.writeHead(served.res.status, { 'content-type': type, 'content-length': buf.length, ...headers });
      res.end(buf);
      return;
    }
    res.writeHead(served.res.status, { 'content-type': type, 'cache-control': 'no-cache', ...headers });
    await new Promise<void>((resolve) => {
      const body = served.res.body;
      res.on('close', () => {
        if (!body.readableEnded) body.destroy();
        resolve();
      });
      body.on('error', () => res.destroy());
      body.pipe(res);
    });
    return;
  }
  if (served.mode === 'json') {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    deps.metrics.latency.observe({ target }, (performance.now() - started) / 1000);
    res.end(JSON.stringify(codec.formatResponse(served.response)));
    return;
  }
  const includeUsage =
    (json.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const encoder = codec.createEncoder({ model, includeUsage });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  res.write(encoder.push(served.first));
  deps.metrics.latency.observe({ target }, (performance.now() - started) / 1000);
  let closed = false;
  res.on('close', () => {
    closed = true;
    void served.rest.return?.();
  });
  for (;;) {
    const next = await served.rest.next();
    if (next.done || closed) break;
    res.write(encoder.push(next.value));
  }
  if (!closed) res.end(encoder.end());
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ClawkeepError('usage', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new ClawkeepError('usage', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ClawkeepError('usage', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function summarize(failures: Failure[]): string {
  if (failures.length === 0) return 'the chain has no usable target';
  return failures.map((f) => `${f.label}: ${f.reason} (${f.detail})`).join('; ');
}
