import { existsSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';
import { ClawkeepError } from '../errors.js';
import { quoteArg } from '../util/invoked-as.js';

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

/** What marks a dir as an OpenClaw state dir (any one of them, in every era). */
const STATE_MARKERS = ['agents', 'openclaw.json', 'clawdbot.json', 'state/openclaw.sqlite', 'credentials'];

function isStateDir(dir: string): boolean {
  return STATE_MARKERS.some((m) => existsSync(join(dir, m)));
}

/**
 * Refuses a selection that would diagnose nothing while looking healthy: a state dir named on the
 * command line (`--openclaw-home`) or, when none is, by `$OPENCLAW_STATE_DIR`, that does not exist, is
 * not a dir, or holds none of OpenClaw's files (naming the state dir it sits in when it is one to three
 * levels too deep, e.g. `…/agents` or `…/agents/main`), and an `--agent` that none of the state dirs
 * has. The implicit default dirs (`~/.openclaw`, `~/.clawdbot`) are never checked here (absent ones
 * are skipped).
 */
export function checkOpenClawSelection(o: {
  homes: string[];
  explicit: boolean;
  agentId?: string;
  env?: NodeJS.ProcessEnv;
}): void {
  if (o.explicit) for (const dir of o.homes) checkStateDir(dir, '--openclaw-home');
  else {
    const named = readEnv(o.env ?? process.env).OPENCLAW_STATE_DIR;
    if (named) checkStateDir(resolve(named), 'OPENCLAW_STATE_DIR');
  }
  if (o.agentId === undefined) return;
  const found = o.homes.some(
    (h) =>
      existsSync(join(h, 'agents', o.agentId!)) ||
      (o.agentId === 'main' && existsSync(join(h, 'state', 'openclaw.sqlite'))),
  );
  if (found) return;
  const present = o.homes.flatMap((h) => agentIdsIn(h));
  throw new ClawkeepError(
    'openclaw_home_invalid',
    o.homes.length === 0
      ? `--agent ${o.agentId}: no OpenClaw state dir found (~/.openclaw, $OPENCLAW_STATE_DIR)`
      : `--agent ${o.agentId}: no agent dir ${o.homes.map((h) => join(h, 'agents', o.agentId!)).join(' or ')}; expected one of: ${present.join(', ') || 'none (no agents at all)'}`,
    {
      details: { agentId: o.agentId, homes: o.homes },
      hint:
        o.homes.length === 0
          ? 'pass --openclaw-home DIR (the dir that holds agents/ and openclaw.json)'
          : present.length > 0
            ? `pass one of: ${[...new Set(present)].map((a) => `--agent ${a}`).join(', ')}`
            : 'drop --agent, or pass the --openclaw-home that holds this agent',
    },
  );
}

/**
 * A dir a guardian may watch: a state dir, or an empty-looking dir OpenClaw has not run in yet (it
 * becomes one on OpenClaw's first run). A dir inside a state dir (`…/agents`, one level off) is the
 * same error the doctor gives: guarding it would guard nothing. Returns whether it is a state dir now.
 */
export function checkWatchableStateDir(dir: string): boolean {
  requireDirectory(dir);
  if (isStateDir(dir)) return true;
  const parent = parentStateDir(dir);
  if (parent) throw invalidHome(dir, 'is not an OpenClaw state dir', parent);
  return false;
}

/** Where a state dir was named: the flag, or the environment variable. */
type NamedBy = '--openclaw-home' | 'OPENCLAW_STATE_DIR';

/** `dir` exists and is a directory, else `openclaw_home_invalid` (naming the state dir it sits in). */
function requireDirectory(dir: string, by: NamedBy = '--openclaw-home'): void {
  let st: Stats;
  try {
    st = statSync(dir);
  } catch {
    throw invalidHome(dir, 'does not exist', parentStateDir(dir), by);
  }
  if (!st.isDirectory()) throw invalidHome(dir, 'is not a directory', parentStateDir(dir), by);
}

function checkStateDir(dir: string, by: NamedBy): void {
  requireDirectory(dir, by);
  if (isStateDir(dir)) return;
  throw invalidHome(
    dir,
    'is not an OpenClaw state dir (it holds none of agents/, openclaw.json, state/openclaw.sqlite, credentials/)',
    parentStateDir(dir),
    by,
  );
}

/** The state dir one to three levels above `dir` (`…/agents`, `…/agents/<id>`, `…/agents/<id>/agent`). */
function parentStateDir(dir: string): string | null {
  let d = resolve(dir);
  for (let i = 0; i < 3; i++) {
    const up = dirname(d);
    if (up === d) return null;
    d = up;
    if (existsSync(join(d, 'agents')) && isStateDir(d)) return d;
  }
  return null;
}

function invalidHome(
  dir: string,
  what: string,
  parent: string | null,
  by: NamedBy = '--openclaw-home',
): ClawkeepError {
  const inside = parent ? `; it sits inside the OpenClaw state dir ${parent}` : '';
  if (by === 'OPENCLAW_STATE_DIR') {
    return new ClawkeepError('openclaw_home_invalid', `OPENCLAW_STATE_DIR=${dir} ${what}${inside}`, {
      details: { path: dir, variable: 'OPENCLAW_STATE_DIR' },
      hint: parent
        ? `export OPENCLAW_STATE_DIR=${quoteArg(parent)}`
        : 'set OPENCLAW_STATE_DIR to the OpenClaw state dir (the dir that holds agents/ and openclaw.json), or unset it to use ~/.openclaw; --openclaw-home DIR overrides it',
    });
  }
  return new ClawkeepError('openclaw_home_invalid', `--openclaw-home ${dir} ${what}${inside}`, {
    details: { path: dir },
    hint: parent
      ? `pass --openclaw-home ${parent}`
      : 'pass the OpenClaw state dir: the dir that holds agents/ and openclaw.json ($OPENCLAW_STATE_DIR, default ~/.openclaw)',
  });
}

function agentIdsIn(home: string): string[] {
  try {
    return readdirSync(join(home, 'agents')).sort();
  } catch {
    return [];
  }
}
