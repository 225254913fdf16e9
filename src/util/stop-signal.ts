/**
 * Resolves on the first SIGTERM or SIGINT. The listeners stay registered until the returned promise's
 * owner is done stopping, so a library that re-raises a signal when it believes it is the last
 * listener (signal-exit, which proper-lockfile and inquirer load) cannot kill the process in the
 * middle of a graceful stop. A second signal while stopping exits at once (128 + signal number),
 * as a second Ctrl-C does elsewhere, after `beforeForcedExit` (synchronous: e.g. removing a pid file).
 */
export function untilStopSignal(beforeForcedExit?: () => void): {
  signal: Promise<'SIGTERM' | 'SIGINT'>;
  done: () => void;
} {
  let resolve!: (s: 'SIGTERM' | 'SIGINT') => void;
  const signal = new Promise<'SIGTERM' | 'SIGINT'>((r) => {
    resolve = r;
  });
  let seen = false;
  const on = (s: 'SIGTERM' | 'SIGINT') => () => {
    if (seen) {
      try {
        beforeForcedExit?.();
      } finally {
        process.exit(s === 'SIGINT' ? 130 : 143);
      }
    }
    seen = true;
    resolve(s);
  };
  const term = on('SIGTERM');
  const int = on('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  return {
    signal,
    done: () => {
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
    },
  };
}
