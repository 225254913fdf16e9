import { createServer } from 'node:net';
import { ClawkeepError } from '../errors.js';
import { invokedAs, invokedAsOn } from '../util/invoked-as.js';
import { findPortOwner } from '../util/port-owner.js';
import { probeGatewayIdentity } from './gateway-identity.js';
import { readRunning } from './pidfile.js';

/**
 * Turns a listen failure into one line naming the port, who holds it and what to do;
 * other errors pass through unchanged.
 */
export async function explainListenError(
  err: unknown,
  o: { host: string; port: number; home?: string },
): Promise<unknown> {
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
  const holder = await findHolder(o);
  const stop = holder.stop ? `stop it with \`${holder.stop}\` or ` : '';
  return new ClawkeepError(
    'port_in_use',
    `port ${o.port} is in use (${holder.who}); ${stop}pick another with --port`,
    {
      cause: err,
      details: { port: o.port, host: o.host, pid: holder.pid, home: holder.home },
      hint: `${stop}pick another with --port`,
    },
  );
}

interface Holder {
  who: string;
  pid: number | null;
  /** The home of the clawkeep gateway holding the port, when it said. */
  home: string | null;
  /** The exact command that stops it, when one is known. */
  stop: string | null;
}

/**
 * Who holds the port: a clawkeep gateway names its own home and pid (IDENTITY_PATH), which holds
 * however it was started (`--home`, CLAWKEEP_HOME, the default home); else /proc names the process.
 */
async function findHolder(o: { host: string; port: number; home?: string }): Promise<Holder> {
  const gateway = await probeGatewayIdentity(o.host, o.port);
  if (gateway) {
    return {
      who: `pid ${gateway.pid}, the clawkeep gateway of ${gateway.home}`,
      pid: gateway.pid,
      home: gateway.home,
      stop: `${invokedAsOn(gateway.home)} gateway stop`,
    };
  }
  const owner = findPortOwner(o.port);
  if (owner) {
    const program = owner.command.split(' ')[0]?.split('/').pop() || 'unknown process';
    // A gateway that did not say whose it is (an older clawkeep): SIGTERM stops it just as cleanly.
    const isGateway = /clawkeep/.test(owner.command) && /\bgateway\b/.test(owner.command);
    return isGateway
      ? { who: `pid ${owner.pid}, clawkeep gateway`, pid: owner.pid, home: null, stop: `kill ${owner.pid}` }
      : { who: `pid ${owner.pid}, ${program}`, pid: owner.pid, home: null, stop: null };
  }
  const ours = o.home ? readRunning(o.home) : null;
  if (ours && new URL(ours.url).port === String(o.port)) {
    return {
      who: `pid ${ours.pid}, this home's clawkeep gateway`,
      pid: ours.pid,
      home: o.home ?? null,
      stop: `${invokedAs()} gateway stop`,
    };
  }
  return { who: 'by another process', pid: null, home: null, stop: null };
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
    throw await explainListenError(err, o);
  } finally {
    server.close();
  }
}
