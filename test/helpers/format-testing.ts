import { isClawkeepError } from '../../src/errors.js';

export type Json = Record<string, unknown>;

/** The message of the `usage` error `fn` throws; fails the test if it throws nothing or something else. */
export function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isClawkeepError(err, 'usage')) return err.message;
    throw err;
  }
  throw new Error('expected a usage error');
}

/** A one-chunk byte source, as an upstream body would be. */
export async function* chunks(text: string): AsyncGenerator<string> {
  yield text;
}

/** Splits `event:`/`data:` SSE text into frames with parsed JSON data. */
export function sseFrames(sse: string): { event: string; data: Json }[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return { event: (eventLine ?? '').slice(7), data: JSON.parse((dataLine ?? '').slice(6)) as Json };
    });
}
