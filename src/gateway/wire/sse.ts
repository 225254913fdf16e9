import { createParser } from 'eventsource-parser';

/** One server-sent event: its `event:` name (null when absent) and its `data:` lines joined by `\n`. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * Parses a `text/event-stream` body incrementally with `eventsource-parser` (chunk boundaries anywhere,
 * CR/LF/CRLF, multi-line data, comments). A final event without its closing blank line is still
 * delivered: an upstream cut right after its last event carries a whole answer.
 */
export async function* parseSse(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let ready: SseMessage[] = [];
  const parser = createParser({
    onEvent: (e) => {
      ready.push({ event: e.event ?? null, data: e.data });
    },
  });
  for await (const chunk of source) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (ready.length > 0) {
      const out = ready;
      ready = [];
      yield* out;
    }
  }
  // Two line ends close an unterminated last line and dispatch its event.
  parser.feed(`${decoder.decode()}\n\n`);
  yield* ready;
}
