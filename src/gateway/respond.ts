import type { ServerResponse } from 'node:http';
import type { ClientFormatDescriptor } from './client-formats.js';
import type { IrUsage } from './formats/ir.js';
import type { GatewayMetrics } from './metrics.js';
import type { Served } from './upstream-call.js';
import { readUsage, SseUsageTap } from './usage/read-usage.js';
import { responseIdOf, SseResponseIdTap } from './usage/response-id.js';

export interface WriteOptions {
  model: string;
  includeUsage: boolean;
  headers: Record<string, string>;
  /** Told the answer's token counts (null: it had none) once it is written. */
  onUsage?: (usage: IrUsage | null) => void;
  /** Told the id of the stored response a relayed Responses answer created (`previous_response_id` homes). */
  onResponseId?: (id: string) => void;
}

/** Writes a served answer: relayed as the upstream sent it, or encoded in the client's format. */
export async function writeServed(
  served: Served,
  format: ClientFormatDescriptor,
  opts: WriteOptions,
  res: ServerResponse,
  firstByte: () => void,
): Promise<void> {
  const onUsage = opts.onUsage ?? (() => {});
  const headers = opts.headers;
  switch (served.mode) {
    case 'body': {
      const buf = Buffer.from(served.body);
      res.writeHead(served.status, { ...served.headers, 'content-length': buf.length, ...headers });
      firstByte();
      res.end(buf);
      onUsage(served.usage);
      if (opts.onResponseId) reportId(parseJson(buf), opts.onResponseId);
      return;
    }
    case 'pipe': {
      const type = String(served.res.headers['content-type'] ?? 'application/json');
      firstByte();
      if (!type.startsWith('text/event-stream')) {
        // A whole JSON answer: one write with a length beats piping a few small chunks.
        const buf = Buffer.from(await served.res.body.arrayBuffer());
        res.writeHead(served.res.status, { ...served.headers, 'content-length': buf.length, ...headers });
        res.end(buf);
        const json = opts.onUsage || opts.onResponseId ? parseJson(buf) : null;
        if (opts.onUsage) onUsage(readUsage(json));
        if (opts.onResponseId) reportId(json, opts.onResponseId);
        return;
      }
      res.writeHead(served.res.status, { ...served.headers, 'cache-control': 'no-cache', ...headers });
      const tap = opts.onUsage ? new SseUsageTap() : null;
      const ids = opts.onResponseId ? new SseResponseIdTap() : null;
      await new Promise<void>((resolve) => {
        const body = served.res.body;
        if (tap) body.on('data', (chunk: Buffer) => tap.push(chunk));
        if (ids) body.on('data', (chunk: Buffer) => ids.push(chunk));
        res.on('close', () => {
          if (!body.readableEnded) body.destroy();
          resolve();
        });
        body.on('error', () => res.destroy());
        body.pipe(res);
      });
      if (tap) onUsage(tap.result());
      if (ids?.id) opts.onResponseId?.(ids.id);
      return;
    }
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      firstByte();
      res.end(JSON.stringify(format.codec.formatResponse(served.response, served.tools)));
      onUsage(served.response.usage);
      return;
    case 'stream':
      await writeStream(served, format, opts, res, firstByte);
  }
}

async function writeStream(
  served: Extract<Served, { mode: 'stream' }>,
  format: ClientFormatDescriptor,
  opts: WriteOptions,
  res: ServerResponse,
  firstByte: () => void,
): Promise<void> {
  let usage: IrUsage | null = served.first.type === 'done' ? served.first.usage : null;
  const encoder = format.codec.createEncoder({
    model: opts.model,
    includeUsage: opts.includeUsage,
    tools: served.tools,
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...opts.headers,
  });
  res.write(encoder.push(served.first));
  firstByte();
  let closed = false;
  res.on('close', () => {
    closed = true;
    void served.rest.return?.();
  });
  for (;;) {
    const next = await served.rest.next();
    if (next.done || closed) break;
    if (next.value.type === 'done') usage = next.value.usage;
    res.write(encoder.push(next.value));
  }
  if (!closed) res.end(encoder.end());
  opts.onUsage?.(usage);
}

/** Observes time to first byte for a target. */
export function firstByteObserver(metrics: GatewayMetrics, target: string, started: number): () => void {
  return () => metrics.latency.observe({ target }, (performance.now() - started) / 1000);
}

function parseJson(buf: Buffer | string): unknown {
  try {
    return JSON.parse(buf.toString());
  } catch {
    return null;
  }
}

function reportId(json: unknown, onResponseId: (id: string) => void): void {
  const id = responseIdOf(json);
  if (id !== null) onResponseId(id);
}
