import type { IncomingMessage } from 'node:http';
import { ClawkeepError } from '../errors.js';
import { jsonTooDeep } from './guards.js';

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * Reads a request body as a JSON object within `limits`: too large is 413, too deep or not JSON is
 * a usage error that quotes no content (a body may hold secrets).
 */
export async function readJsonBody(
  req: IncomingMessage,
  limits: BodyLimits,
): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
    chunks.push(chunk as Buffer);
  }
  const buf = Buffer.concat(chunks);
  if (jsonTooDeep(buf, limits.maxDepth)) {
    throw new ClawkeepError(
      'usage',
      `request body nests deeper than ${limits.maxDepth} levels (gateway.maxJsonDepth)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new ClawkeepError('usage', 'request body is not valid JSON');
  }
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
