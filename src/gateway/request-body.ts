import type { IncomingMessage } from 'node:http';
import { ClawkeepError } from '../errors.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads a request body as a JSON object; a bad body is a usage error that quotes no content. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
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
  } catch {
    throw new ClawkeepError('usage', 'request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ClawkeepError('usage', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}
