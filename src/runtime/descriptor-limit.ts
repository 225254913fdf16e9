import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The process's open-file limit (RLIMIT_NOFILE): soft is what binds, hard is how far it may be raised. */
export interface DescriptorLimit {
  soft: number;
  hard: number;
}

/**
 * Reads this process's descriptor limit: `/proc/self/limits` on Linux, else a child shell's
 * `ulimit -Sn`/`-Hn` (a child inherits its parent's limits). Null where neither answers (Windows).
 *
 * Nothing here raises the soft limit: Node does, before any JavaScript runs (`PlatformInit` in
 * src/node.cc sets the soft NOFILE limit to the hard one on every POSIX system), which is earlier and
 * surer than a re-exec through `prlimit` or `ulimit -n` could be. The gateway reads what it got.
 */
export function readDescriptorLimit(): DescriptorLimit | null {
  return fromProc() ?? fromShell();
}

function fromProc(): DescriptorLimit | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  return m ? parsePair(m[1]!, m[2]!) : null;
}

function fromShell(): DescriptorLimit | null {
  if (process.platform === 'win32') return null;
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    const [soft, hard] = out.trim().split(/\s+/);
    return soft && hard ? parsePair(soft, hard) : null;
  } catch {
    return null;
  }
}

function parsePair(soft: string, hard: string): DescriptorLimit | null {
  const n = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  const limit = { soft: n(soft), hard: n(hard) };
  return Number.isNaN(limit.soft) || Number.isNaN(limit.hard) ? null : limit;
}
