import { ClawkeepError } from '../errors.js';
import { jsonTooDeep } from './guards.js';
import { assembleJson, NotJsonError } from './json-parse-plan.js';
import { jsonParsePool } from './json-parse-pool.js';

/** Up to this size a body is parsed at once on the event loop (a few milliseconds at most). */
export const OFF_LOOP_BYTES = 1024 * 1024;
/** Pieces of about this size parse in well under a millisecond each. */
const CHUNK_BYTES = 64 * 1024;
/** The event loop builds a large body in slices of this long, serving other requests in between. */
const SLICE_MS = 4;

function tooDeep(maxDepth: number): ClawkeepError {
  return new ClawkeepError(
    'usage',
    `request body nests deeper than ${maxDepth} levels (gateway.maxJsonDepth)`,
  );
}

const notJson = () => new ClawkeepError('usage', 'request body is not valid JSON');

/**
 * Parses a request body after checking its nesting depth. Small bodies are parsed at once; a large
 * one (which must sit on a SharedArrayBuffer) is checked and planned by a worker thread, then built
 * here in short slices. Either way the value equals `JSON.parse` of the body, and errors quote nothing.
 */
export async function parseJsonBytes(body: Buffer, maxDepth: number): Promise<unknown> {
  if (body.length <= OFF_LOOP_BYTES || !(body.buffer instanceof SharedArrayBuffer)) {
    if (jsonTooDeep(body, maxDepth)) throw tooDeep(maxDepth);
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw notJson();
    }
  }
  const outcome = await jsonParsePool().plan(body, maxDepth, CHUNK_BYTES);
  if (!outcome.ok) throw outcome.reason === 'too_deep' ? tooDeep(maxDepth) : notJson();
  try {
    return await assembleJson(body, outcome.plan, SLICE_MS);
  } catch (err) {
    throw err instanceof NotJsonError ? notJson() : err;
  }
}

/** A buffer of `size` bytes that worker threads can read without a copy. */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}
