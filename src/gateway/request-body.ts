import type { IncomingMessage } from 'node:http';
import { ClawkeepError } from '../errors.js';
import { OFF_LOOP_BYTES, parseJsonBytes, sharedBuffer } from './json-parse.js';

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * Reads a request body as a JSON object within `limits`: too large is 413, too deep or not JSON is
 * a usage error that quotes no content (a body may hold secrets). A large body is parsed without
 * holding the event loop for long (see json-parse.ts).
 */
export async function readJsonBody(
  req: IncomingMessage,
  limits: BodyLimits,
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  const body = await readBytes(req, declared, limits.maxBytes);
  const parsed = await parseJsonBytes(body, limits.maxDepth);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ClawkeepError('usage', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function tooLarge(max: number): ClawkeepError {
  return new ClawkeepError(
    'request_too_large',
    `request body is larger than ${max} bytes (gateway.maxBodyBytes)`,
  );
}

/**
 * The body's bytes. One declared larger than OFF_LOOP_BYTES is read straight into shared memory, so
 * the parse worker reads it without a copy; a chunked one that grows that large is moved there once.
 */
async function readBytes(req: IncomingMessage, declared: number, max: number): Promise<Buffer> {
  const direct = declared > OFF_LOOP_BYTES ? sharedBuffer(declared) : null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const c = chunk as Buffer;
    if (size + c.length > max) throw tooLarge(max);
    if (direct) {
      // Node's parser never delivers more than Content-Length says.
      if (size + c.length > direct.length) throw tooLarge(declared);
      c.copy(direct, size);
    } else chunks.push(c);
    size += c.length;
  }
  if (direct) return direct.subarray(0, size);
  const all = Buffer.concat(chunks, size);
  if (size <= OFF_LOOP_BYTES) return all;
  const shared = sharedBuffer(size);
  all.copy(shared);
  return shared;
}
