/**
 * The id of a stored Responses object an upstream created (`resp_…`), from a whole answer or one of
 * its stream events (`response.created`, `response.completed`): a later request naming it as
 * `previous_response_id` must reach the login that created it.
 */
export function responseIdOf(json: unknown): string | null {
  if (!json || typeof json !== 'object') return null;
  const o = json as Record<string, unknown>;
  if (o.object === 'response' && typeof o.id === 'string') return o.id;
  const inner = o.response as Record<string, unknown> | undefined;
  if (inner && typeof inner === 'object' && typeof inner.id === 'string') return inner.id;
  return null;
}

/** Finds the response id in a relayed SSE stream without holding it: only the first event that names one is parsed. */
export class SseResponseIdTap {
  #partial = '';
  #id: string | null = null;

  push(chunk: Buffer | string): void {
    if (this.#id !== null) return;
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = (lines.pop() ?? '').slice(-1_000_000);
    for (const line of lines) {
      if (!line.startsWith('data:') || !line.includes('"response.')) continue;
      try {
        this.#id = responseIdOf(JSON.parse(line.slice(5)));
      } catch {
        // not JSON: not an event that names the response
      }
      if (this.#id !== null) return;
    }
  }

  get id(): string | null {
    return this.#id;
  }
}
