import type { IrEvent } from '../formats/ir.js';
import type { SseMessage } from './sse.js';

/** One upstream wire API's stream state: SSE messages in, neutral events out. */
export interface StreamMachine {
  /** Events for one SSE message; a `done` or `error` among them ends the stream. */
  feed(message: SseMessage): IrEvent[];
  /** The terminal event when the SSE stream ended without one (`done` if the answer is whole, else `error`). */
  finish(): IrEvent;
}

/** Stable codes of the errors the wire parsers raise themselves (provider codes pass through as they are). */
export const WIRE_ERRORS = {
  /** A data line that is not the JSON the API promises. */
  malformed: 'stream_malformed',
  /** The stream stopped before the API's completion event. */
  incomplete: 'stream_incomplete',
  /** Reading the stream failed (connection reset, body timeout). */
  failed: 'stream_failed',
} as const;

/**
 * Runs `machine` over an SSE stream and guarantees the contract of the neutral stream: exactly one
 * terminal event (`done` or `error`), nothing after it, and no throw — transport failures, malformed
 * data and early ends all become `error` events. Stops reading the upstream at the terminal event.
 */
export async function* driveStream(
  sse: AsyncIterable<SseMessage>,
  machine: StreamMachine,
): AsyncGenerator<IrEvent> {
  let pending: IrEvent[] = [];
  try {
    for await (const message of sse) {
      pending = machine.feed(message);
      for (const e of pending) {
        yield e;
        if (e.type === 'done' || e.type === 'error') return;
      }
    }
    pending = [machine.finish()];
  } catch (err) {
    pending = [
      { type: 'error', code: WIRE_ERRORS.failed, message: `upstream stream failed: ${messageOf(err)}` },
    ];
  }
  yield* pending;
}

/** Parses a data line as a JSON object, or returns the `error` event saying it is not one. */
export function parseJsonData(
  message: SseMessage,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: IrEvent } {
  try {
    const value: unknown = JSON.parse(message.data);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return { ok: true, value: value as Record<string, unknown> };
    }
  } catch {
    // reported below, with the offending data
  }
  return {
    ok: false,
    error: {
      type: 'error',
      code: WIRE_ERRORS.malformed,
      message: `upstream sent malformed stream data: ${message.data.slice(0, 200)}`,
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
