import type { SourceCopy } from '../linked/adapter.js';
import type { Profile } from '../store/types.js';

export type SourceKind = 'codex' | 'claude' | 'pi' | 'openclaw';

/** One credential found in a source, with where it lives and how to link or archive it. */
export interface ImportCopy extends SourceCopy {
  /** The file (or store) it was read from, for plans and messages. */
  file: string;
  /** Linked-source ref: adapter kind and location (DESIGN: linked source); null for read-only copies. */
  link: { kind: string; location: string } | null;
  /** The name the source itself gives it (OpenClaw profile names), if any. */
  suggestedName: string | null;
}

/** Everything one source holds, read and validated in full before anything is planned. */
export interface ImportSource {
  kind: SourceKind;
  /** Human description, e.g. `Codex CLI (/home/u/.codex/auth.json)`. */
  title: string;
  copies: ImportCopy[];
  /** Things seen and deliberately left alone (API keys, unsupported providers, dead copies). */
  notes: string[];
  /** With `--move`: takes the imported credentials out of the source, leaving a 0600 backup. */
  archive(copies: ImportCopy[], now: number): Promise<string[]>;
}

export type StepAction = 'create' | 'update' | 'keep';

/** What importing one account does. */
export interface PlanStep {
  action: StepAction;
  profileId: string;
  provider: string;
  /** Email, account id, or `unknown account`. */
  account: string;
  /** The freshest copy of this account in the source (freshness order). */
  chosen: ImportCopy;
  /** Every copy of this account in the source: all get linked (or archived with --move). */
  copies: ImportCopy[];
  existing: Profile | null;
  why: string;
}

export interface ImportPlan {
  source: ImportSource;
  steps: PlanStep[];
}
