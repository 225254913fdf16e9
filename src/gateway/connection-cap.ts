import type { Socket } from 'node:net';

/**
 * Descriptors kept for everything but sockets: stdio, the store's three files on each of two
 * connections, the event loops of the write worker and the JSON parse workers, the log and pid files,
 * linked sources read during a refresh. A gateway holds about 30 of them when it starts listening.
 */
export const FIXED_RESERVE = 64;
/** Of the descriptors left, the share kept for upstream sockets: each request being served may hold one. */
const UPSTREAM_SHARE = 0.25;
/** Upstream sockets per origin when descriptors are plenty (undici's pool size before this cap existed). */
export const UPSTREAM_PER_ORIGIN = 256;

/** How many client and upstream sockets the gateway may hold. */
export interface ConnectionBudget {
  /** Client sockets open at most; past it one holding no request is closed to make room. */
  clients: number;
  /** Pooled upstream sockets per origin. */
  upstreamPerOrigin: number;
}

/**
 * Sizes the sockets from the soft descriptor limit: a fixed reserve first, then a quarter of the rest for
 * upstream sockets, then clients, never more than `configured` (`gateway.maxConnections`). Without a
 * known limit (Windows, or unlimited) the configured cap stands.
 */
export function sizeConnections(limit: number | null, configured: number): ConnectionBudget {
  if (limit === null || !Number.isFinite(limit)) {
    return { clients: configured, upstreamPerOrigin: UPSTREAM_PER_ORIGIN };
  }
  const spare = Math.max(0, limit - FIXED_RESERVE);
  const upstream = Math.floor(spare * UPSTREAM_SHARE);
  return {
    clients: Math.max(1, Math.min(configured, spare - upstream)),
    upstreamPerOrigin: Math.max(1, Math.min(UPSTREAM_PER_ORIGIN, upstream)),
  };
}

/** Where a client socket stands: nothing complete sent yet, a request being served, or kept alive after one. */
export type ConnectionState = 'no_request' | 'serving' | 'keep_alive';
/** Why a socket was closed under pressure: the state it was in, or `refused` when none could make room. */
export type ShedReason = 'no_request' | 'keep_alive' | 'refused';

/**
 * A just-accepted socket's chance to send its request. Sockets accepted together (libuv accepts every
 * pending one before reading any) must not push each other out while a kept-alive socket sits idle.
 */
export const FIRST_REQUEST_GRACE_MS = 1000;

/**
 * Holds the gateway's client sockets to a cap. A socket past the cap makes room by closing, in order:
 * the oldest socket that has sent no complete request within its grace (an idle or slow flood); the one
 * kept alive longest since its last answer; the oldest still within its grace. When every socket is
 * serving a request, the new one is closed instead. So a flood of sockets without requests, or of
 * sockets that sent one and linger, cannot lock keyed clients out, and the process never runs out of
 * descriptors for them.
 */
export class ConnectionCap {
  readonly max: number;
  /** Sockets without a complete request, oldest first, with when each was accepted. */
  readonly #noRequest = new Map<Socket, number>();
  /** In the order they went idle: the first has waited longest for its next request. */
  readonly #keepAlive = new Set<Socket>();
  readonly #serving = new Map<Socket, number>();
  readonly #onShed: (reason: ShedReason) => void;
  readonly #now: () => number;

  constructor(o: { max: number; onShed: (reason: ShedReason) => void; now?: () => number }) {
    this.max = o.max;
    this.#onShed = o.onShed;
    this.#now = o.now ?? (() => performance.now());
  }

  /** A socket just accepted: tracked, after making room when at the cap; false (and closed) if none can be made. */
  admit(socket: Socket): boolean {
    const now = this.#now();
    if (this.#noRequest.size + this.#keepAlive.size + this.#serving.size >= this.max) {
      const [victim, reason] = this.#pickVictim(now);
      if (!victim) {
        socket.destroy();
        this.#onShed('refused');
        return false;
      }
      this.#forget(victim);
      victim.destroy();
      this.#onShed(reason);
    }
    this.#noRequest.set(socket, now);
    socket.once('close', () => this.#forget(socket));
    return true;
  }

  /** A complete request arrived on `socket` (its headers: the body may still be coming). */
  requestStarted(socket: Socket): void {
    if (socket.destroyed) return;
    this.#noRequest.delete(socket);
    this.#keepAlive.delete(socket);
    this.#serving.set(socket, (this.#serving.get(socket) ?? 0) + 1);
  }

  /** A response on `socket` is done (sent, or cut off); it waits for its next request. */
  requestEnded(socket: Socket): void {
    const n = this.#serving.get(socket);
    if (n === undefined) return;
    if (n > 1) {
      this.#serving.set(socket, n - 1);
      return;
    }
    this.#serving.delete(socket);
    if (!socket.destroyed) this.#keepAlive.add(socket);
  }

  /** Open client sockets by state. */
  counts(): Record<ConnectionState, number> {
    return {
      no_request: this.#noRequest.size,
      serving: this.#serving.size,
      keep_alive: this.#keepAlive.size,
    };
  }

  #pickVictim(now: number): [Socket | undefined, ShedReason] {
    const oldest = this.#noRequest.entries().next().value;
    if (oldest && now - oldest[1] >= FIRST_REQUEST_GRACE_MS) return [oldest[0], 'no_request'];
    const idle = this.#keepAlive.values().next().value;
    if (idle) return [idle, 'keep_alive'];
    return [oldest?.[0], 'no_request'];
  }

  #forget(socket: Socket): void {
    this.#noRequest.delete(socket);
    this.#keepAlive.delete(socket);
    this.#serving.delete(socket);
  }
}
