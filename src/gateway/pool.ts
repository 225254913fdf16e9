/** What the pool needs to know of each login's quota (the QuotaBook answers it). */
export interface QuotaSource {
  /** What is left of the login's most-used window, 0–1; 1 when unknown. */
  headroom(profileId: string, now: number): number;
  /** Until when the login's quota is used up (epoch ms), or null. */
  exhaustedUntil(profileId: string, now: number): number | null;
  /**
   * When the login's soonest window starts over (epoch ms); `idle` when a reading says that window
   * has started over since and not run again (its clock starts at its next call); null when unknown.
   */
  resetsAt(profileId: string, now: number): number | 'idle' | null;
}

/** Below this headroom a login takes no new conversations while another has room (spill before the cap). */
export const SPILL_BELOW = 0.1;

/** A pool's choice for one request. */
export interface PoolPlan {
  /** Logins to try, best first. */
  ids: string[];
  /** Logins left out because their quota is used up, with the reset time. */
  exhausted: Array<{ profileId: string; until: number }>;
  /** Set when the conversation's login was used up and the conversation moved to `ids[0]`. */
  movedFrom: { profileId: string; until: number } | null;
}

const MAX_CONVERSATIONS = 10_000;

/**
 * The `quota-aware` strategy, drain first. A new conversation goes to the login whose running window
 * starts over soonest while it still has room, so the quota that would lapse at that reset is used
 * rather than lost, and logins whose windows have not started yet stay fresh for later; near its cap
 * (`SPILL_BELOW`) a login takes no new conversations and they spill to the next. A conversation stays
 * on its login so the provider's prompt cache stays warm. A login whose quota is used up is left out
 * until its reset time, before the upstream has to answer 429, and its conversations move.
 */
export class QuotaAwarePool {
  #quotas: QuotaSource;
  /** `provider\nconversation` → profile id; oldest forgotten first past MAX_CONVERSATIONS. */
  #homes = new Map<string, string>();

  constructor(quotas: QuotaSource) {
    this.#quotas = quotas;
  }

  plan(provider: string, ids: readonly string[], conversation: string | null, now: number): PoolPlan {
    const exhausted: PoolPlan['exhausted'] = [];
    const live: Array<{ id: string; headroom: number; resetsAt: number; index: number; idle: boolean }> = [];
    ids.forEach((id, index) => {
      const until = this.#quotas.exhaustedUntil(id, now);
      if (until !== null) exhausted.push({ profileId: id, until });
      else {
        const headroom = this.#quotas.headroom(id, now);
        const resets = this.#quotas.resetsAt(id, now);
        const resetsAt = typeof resets === 'number' ? resets : Number.NEGATIVE_INFINITY;
        live.push({ id, headroom, resetsAt, index, idle: resets === 'idle' });
      }
    });
    // Logins with room first: one whose window is not running (idle, or not yet read) before all, so
    // every login's clock runs while there is traffic; then the soonest reset; listed order on a tie.
    // Then the ones near their cap, most headroom first.
    live.sort((a, b) => {
      const roomA = a.headroom >= SPILL_BELOW;
      const roomB = b.headroom >= SPILL_BELOW;
      if (roomA !== roomB) return roomA ? -1 : 1;
      if (!roomA) return b.headroom - a.headroom || a.index - b.index;
      return a.resetsAt - b.resetsAt || a.index - b.index;
    });
    const order = live.map((l) => l.id);
    let movedFrom: PoolPlan['movedFrom'] = null;
    if (conversation !== null) {
      const key = `${provider}\n${conversation}`;
      const home = this.#homes.get(key);
      const idle = live.find((l) => l.idle && l.headroom >= SPILL_BELOW);
      if (home !== undefined && idle && home !== idle.id && order.includes(home)) {
        // A login whose window has started over takes the next request, so its clock runs again
        // while there is traffic (a window idles only from its reset to its first call).
        this.#remember(key, idle.id);
      } else if (home !== undefined && order.includes(home)) {
        order.splice(order.indexOf(home), 1);
        order.unshift(home);
      } else {
        const gone = home !== undefined ? exhausted.find((e) => e.profileId === home) : undefined;
        if (gone && order.length > 0) movedFrom = { profileId: gone.profileId, until: gone.until };
        if (order[0] !== undefined) this.#remember(key, order[0]);
      }
    }
    return { ids: order, exhausted, movedFrom };
  }

  /** Pins the conversation to the login that actually served it (a fallback may have moved it). */
  settle(provider: string, conversation: string | null, profileId: string): void {
    if (conversation !== null) this.#remember(`${provider}\n${conversation}`, profileId);
  }

  #remember(key: string, id: string): void {
    this.#homes.delete(key);
    this.#homes.set(key, id);
    if (this.#homes.size > MAX_CONVERSATIONS) {
      const oldest = this.#homes.keys().next().value;
      if (oldest !== undefined) this.#homes.delete(oldest);
    }
  }
}

/**
 * The conversation a request belongs to, so a pool keeps it on one login: a Responses request that
 * continues a stored response (`previous_response_id`: only the login that created it has it), the
 * Responses API's `prompt_cache_key`, Claude Code's `metadata.user_id` (it carries the session), a
 * `session_id` / `session-id` header (Codex CLI sends one), else the client itself.
 */
export function conversationKey(
  json: Record<string, unknown>,
  headers: Record<string, string | string[] | undefined>,
  client: string,
): string {
  if (typeof json.previous_response_id === 'string' && json.previous_response_id)
    return responseConversation(json.previous_response_id);
  if (typeof json.prompt_cache_key === 'string' && json.prompt_cache_key)
    return `pck:${json.prompt_cache_key}`;
  const meta = json.metadata;
  if (meta && typeof meta === 'object' && typeof (meta as { user_id?: unknown }).user_id === 'string')
    return `uid:${(meta as { user_id: string }).user_id}`;
  for (const name of ['session_id', 'session-id']) {
    const v = headers[name];
    if (typeof v === 'string' && v) return `sid:${v}`;
  }
  return `client:${client}`;
}

/** The conversation key of a stored response: the login that created it is its home. */
export function responseConversation(responseId: string): string {
  return `resp:${responseId}`;
}
