import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'clawkeep_ui';
const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface Session {
  csrf: string;
  expiresAt: number;
}

/**
 * Admin sessions of the dashboard, held in the gateway's memory only (a restart signs everyone out).
 * Separate from client keys: a client key never opens a session and a session never calls a model.
 */
export class Sessions {
  #byHash = new Map<string, Session>();

  /** Opens a session; returns the cookie value (shown to the browser only) and its CSRF token. */
  open(now = Date.now()): { id: string; session: Session } {
    this.#sweep(now);
    const id = randomBytes(32).toString('base64url');
    const session = { csrf: randomBytes(24).toString('base64url'), expiresAt: now + SESSION_TTL_MS };
    this.#byHash.set(hash(id), session);
    return { id, session };
  }

  get(id: string | null, now = Date.now()): Session | null {
    if (!id) return null;
    const s = this.#byHash.get(hash(id));
    if (!s) return null;
    if (s.expiresAt <= now) {
      this.#byHash.delete(hash(id));
      return null;
    }
    return s;
  }

  close(id: string | null): void {
    if (id) this.#byHash.delete(hash(id));
  }

  #sweep(now: number): void {
    for (const [k, s] of this.#byHash) if (s.expiresAt <= now) this.#byHash.delete(k);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: string | undefined | string[]): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
