import type { ServerResponse } from 'node:http';

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

/** Parses a complete `text/event-stream` body; `data` is JSON-decoded when it parses. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) continue;
    const raw = data.join('\n');
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // not JSON (e.g. `[DONE]`): keep the raw string
    }
    events.push(event === undefined ? { data: parsed } : { event, data: parsed });
  }
  return events;
}
