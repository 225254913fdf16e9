import { createServer } from 'node:net';
import { ClawkeepError } from '../errors.js';
import { invokedAs } from '../util/invoked-as.js';
import { findPortOwner } from '../util/port-owner.js';
import { readRunning } from './pidfile.js';

/**
 * Turns a listen failure into one line naming the port, who holds it and what to do;
 * other errors pass through unchanged.
 */
export function explainListenError(err: unknown, o: { host: string; port: number; home?: string }): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ClawkeepError('usage', `cannot listen on ${o.host}: no such address on this machine`, {
      cause: err,
      hint: 'pick another with --host (127.0.0.1 for this machine only, 0.0.0.0 for every interface)',
    });
  }
  if (code === 'EACCES') {
    return new ClawkeepError('usage', `not allowed to listen on port ${o.port}`, {
      cause: err,
      hint: 'ports below 1024 need privileges: pick another with --port',
    });
  }
  if (code !== 'EADDRINUSE') return err;
  const owner = findPortOwner(o.port);
  const ours = o.home ? readRunning(o.home) : null;
  const pid = owner?.pid ?? null;
  const isGateway = owner
    ? /clawkeep/.test(owner.command) && /\bgateway\b/.test(owner.command)
    : ours !== null && new URL(ours.url).port === String(o.port);
  const who =
    owner && !isGateway
      ? `pid ${owner.pid}, ${owner.command.split(' ')[0]?.split('/').pop() || 'unknown process'}`
      : isGateway
        ? `pid ${pid ?? ours?.pid}, clawkeep gateway`
        : 'by another process';
  const stop = isGateway ? `stop it with \`${stopCommand(owner?.command)}\` or ` : '';
  return new ClawkeepError(
    'port_in_use',
    `port ${o.port} is in use (${who}); ${stop}pick another with --port`,
    {
      cause: err,
      details: { port: o.port, host: o.host, pid },
      hint: `${stop}pick another with --port`,
    },
  );
}

/** The stop command for a gateway, with the `--home` its command line names, if any. */
function stopCommand(command: string | undefined): string {
  const home = command ? /--home[ =](\S+)/.exec(command)?.[1] : undefined;
  const base = invokedAs().replace(/ --home \S+/, '');
  return home ? `${base} --home ${home} gateway stop` : `${invokedAs()} gateway stop`;
}

/** Fails early, with the same one line, when `port` is taken (the background start cannot show it). */
export async function checkPortFree(o: { host: string; port: number; home?: string }): Promise<void> {
  if (o.port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (err) {
    throw explainListenError(err, o);
  } finally {
    server.close();
  }
}
