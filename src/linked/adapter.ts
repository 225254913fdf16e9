import type { Profile } from '../store/types.js';

/** One copy of an OAuth credential found in another tool's file. */
export interface SourceCopy {
  provider: string;
  access: string;
  refresh: string;
  expires: number;
  issuedAt: number;
  accountId: string | null;
  email: string | null;
  /** When the tool last wrote it (file time or the tool's own stamp), for the freshness order. */
  updatedAt: number | null;
  /** Where it sits inside the file, for plans and messages (e.g. `tokens`, `anthropic`). */
  label: string;
}

/** What a write-back did. `skipped`: the file is gone, holds nothing for this provider, or already agrees. */
export type WriteOutcome = 'written' | 'skipped';

/** One on-disk format clawkeep keeps in step with (DESIGN: linked source). */
export interface LinkedAdapter {
  kind: string;
  /** The copy held at `location` for the profile's provider; null when there is none. Throws on malformed files. */
  read(location: string, profile: Profile): Promise<SourceCopy | null>;
  /** Writes the profile's tokens into `location` in the tool's own format, keeping every other field. */
  write(location: string, profile: Profile): Promise<WriteOutcome>;
}
