import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';

/** One server-sent event; `event` is omitted for `data:`-only streams (OpenAI chat completions). */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** Writes `events` as a complete `text/event-stream` response. */
export function sendSse(
  res: ServerResponse,
  events: readonly SseEvent[],
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  for (const { event, data } of events) {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    res.write(event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`);
  }
  res.end();
}

/** Parses a complete `text/event-stream` body (eventsource-parser); `data` is JSON-decoded when it parses. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: ({ event, data }) => {
      let parsed: unknown = data;
      try {
        parsed = JSON.parse(data);
      } catch {
        // not JSON (e.g. `[DONE]`): keep the raw string
      }
      events.push(event === undefined ? { data: parsed } : { event, data: parsed });
    },
  });
  parser.feed(text);
  // a last event without its blank line still counts, as for a closed stream
  parser.feed('\n\n');
  return events;
}
