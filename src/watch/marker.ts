import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileAtomicallySync } from '../util/files.js';

/** Beside `.clawkeep-doctor.lock` in the state dir, so every guardian of that dir shares it. */
export const WATCH_MARKER = '.clawkeep-watch.json';

/** The OpenClaw version state the last reconcile of a state dir ran against. */
export interface WatchMarker {
  versionKey: string;
  version: string;
  reconciledAt: number;
}

export function readMarker(home: string): WatchMarker | null {
  try {
    const m = JSON.parse(readFileSync(join(home, WATCH_MARKER), 'utf8')) as Partial<WatchMarker>;
    return typeof m.versionKey === 'string'
      ? {
          versionKey: m.versionKey,
          version: String(m.version ?? ''),
          reconciledAt: Number(m.reconciledAt) || 0,
        }
      : null;
  } catch {
    return null;
  }
}

/** Atomic (temp file + fsync + rename), 0600; written only under the doctor lock. */
export function writeMarker(home: string, m: WatchMarker): void {
  replaceFileAtomicallySync(join(home, WATCH_MARKER), `${JSON.stringify(m, null, 2)}\n`, 0o600);
}
