/** True unless the pid is certainly gone (ESRCH); EPERM means it lives under another user. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True when the process is certainly gone (ESRCH), and never for this one. */
export function isPidDead(pid: number): boolean {
  return pid !== process.pid && !isPidAlive(pid);
}
