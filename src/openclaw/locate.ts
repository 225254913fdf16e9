import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';

export interface LocateOptions {
  /** Dirs given on the command line (`--openclaw-home`): used as they are, even if missing. */
  explicit?: string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * OpenClaw state dirs on this machine: the explicit ones if given, else `$OPENCLAW_STATE_DIR`,
 * `~/.openclaw` and the legacy `~/.clawdbot`, those that exist, each once (by real path).
 */
export function locateOpenClawHomes(o: LocateOptions = {}): string[] {
  if (o.explicit && o.explicit.length > 0) return [...new Set(o.explicit.map((d) => resolve(d)))];
  const env = o.env ?? process.env;
  const home = o.home ?? homedir();
  const candidates = [readEnv(env).OPENCLAW_STATE_DIR, join(home, '.openclaw'), join(home, '.clawdbot')];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of candidates) {
    if (!c) continue;
    try {
      if (!statSync(c).isDirectory()) continue;
      const real = realpathSync(c);
      if (seen.has(real)) continue;
      seen.add(real);
      out.push(resolve(c));
    } catch {
      // Absent: nothing to diagnose there.
    }
  }
  return out;
}
