/**
 * Ids of responses the `openai` API stored (`store` not false), by the API key that created them, so
 * `previous_response_id` finds them for that key only: as with the real API, a response stored under
 * one organisation's key is not found under another's.
 */
export class StoredResponses {
  readonly #ids = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  keep(owner: string, id: string): void {
    this.#ids.add(`${owner}\n${id}`);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  has(owner: string, id: string): boolean {
    return this.#ids.has(`${owner}\n${id}`);
  }
}
