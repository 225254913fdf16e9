import type { IrEvent } from './ir.js';

/** Turns the neutral events of one answer into the SSE text a client format streams. */
export interface StreamEncoder {
  /** The SSE text for one event (possibly empty); nothing after the stream's `done` or `error`. */
  push(e: IrEvent): string;
  /** Closes the stream; if it never reached `done` or `error`, it ends as an error. */
  end(): string;
}

/** The `error` event `end()` stands in with when the events stopped without `done` or `error`. */
export const UNFINISHED: Extract<IrEvent, { type: 'error' }> = {
  type: 'error',
  code: 'upstream_error',
  message: 'the upstream stream ended before the answer was complete',
};
