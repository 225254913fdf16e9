/** One server-sent event: its `event:` name (null when absent) and its `data:` lines joined by `\n`. */
export interface SseMessage {
  event: string | null;
  data: string;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * Parses a `text/event-stream` body incrementally, as the bytes arrive: chunk boundaries anywhere
 * (inside a line, a UTF-8 character or a CRLF), CR/LF/CRLF line ends, multi-line data and comments.
 * A final event without its closing blank line is still delivered.
 */
export async function* parseSse(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const state = new EventBuilder();
  let buffer = '';
  for await (const chunk of source) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let m = LINE_END.exec(buffer); m !== null; m = LINE_END.exec(buffer)) {
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
      if (m[0] === '\r' && m.index === buffer.length - 1) break;
      const message = state.line(buffer.slice(start, m.index));
      start = m.index + m[0].length;
      if (message) yield message;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  for (const line of buffer.split(LINE_END)) {
    const message = state.line(line);
    if (message) yield message;
  }
  const last = state.line('');
  if (last) yield last;
}

class EventBuilder {
  #event: string | null = null;
  #data: string[] = [];

  /** Feeds one line; returns the event a blank line completes. */
  line(line: string): SseMessage | null {
    if (line === '') return this.#dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    return null;
  }

  #dispatch(): SseMessage | null {
    const event = this.#event;
    this.#event = null;
    if (this.#data.length === 0) return null;
    const data = this.#data.length === 1 ? (this.#data[0] as string) : this.#data.join('\n');
    this.#data = [];
    return { event, data };
  }
}
