import { connect, createServer, type Socket } from 'node:net';

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Waits for every promise to settle, or for `deadlineMs` when some never do: the deadline only bounds
 * a failure, so the caller's assertion can say how many were short instead of the test timing out.
 */
export async function allSettledWithin(
  promises: readonly Promise<unknown>[],
  deadlineMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * A socket that connects to a loopback port and sends nothing (an idle-socket flood). It reads what
 * arrives: Node's own header timeout may answer 408 before closing, and a socket holding unread bytes
 * never sees the end of the stream, so it would never close. `connected` also settles on an early close.
 */
export function idleSocket(port: number): {
  socket: Socket;
  connected: Promise<boolean>;
  closed: Promise<void>;
} {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.resume();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('close', () => resolve(false));
  });
  return { socket, connected, closed };
}

/**
 * A socket that sends one keep-alive request (`GET /healthz` unless told) and then nothing: it lingers
 * between requests as an agent's pooled connection does. `answered` settles once the answer's head has
 * arrived (false if the socket closed first); `closed` when the socket closes.
 */
export function keptAliveSocket(
  port: number,
  path = '/healthz',
): { socket: Socket; answered: Promise<boolean>; closed: Promise<void> } {
  const s = idleSocket(port);
  let received = '';
  const answered = new Promise<boolean>((resolve) => {
    s.socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n')) resolve(true);
    });
    s.socket.once('close', () => resolve(false));
  });
  s.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
  return { socket: s.socket, answered, closed: s.closed };
}
