import type { Profile, RotatedTokens } from '../store/types.js';

/** A copy of a profile's tokens found in another tool's file. */
export interface LinkedCopy extends RotatedTokens {
  /** Which linked source it came from, e.g. `codex-auth-json:/home/u/.codex/auth.json`. */
  source: string;
  updatedAt?: number | null;
}

/**
 * The broker's view of linked sources (DESIGN: adopt-if-fresher on every path, write back after
 * each rotation). Implementations must be cheap for profiles without links: they are consulted
 * only on the rotation path, never on the hot path.
 */
export interface LinkedSources {
  /** Current copies held by the profile's linked sources (read fresh from disk each call). */
  read(profile: Profile): Promise<LinkedCopy[]>;
  /**
   * Writes the profile's stored tokens back to every linked source, atomically, in each tool's format.
   * May return notices for the user (e.g. a loose file mode tightened to 0600).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: adapters without notices resolve to nothing.
  writeBack(profile: Profile): Promise<void | string[]>;
}
