/**
 * Drives an oidc-peer from another process (e.g. a benchmark):
 *
 *   node --import tsx test/peers/oidc-peer-main.ts [--port N] [--access-ttl SECONDS]
 *
 * stdout, one JSON object per line:
 *   first line: {"issuer": …, "tokenUrl": …, "clientId": …}
 *   stdin `mint <accountId>` → {"access": …, "refresh": …, "expires": <epoch ms>}
 *   stdin `stats`            → {"refreshes": n, "invalidGrant": n, "grantsRevoked": n}
 *   anything else / failure  → {"error": "…"}
 * Exits (closing the server) when stdin ends. Diagnostics go to stderr only.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startOidcPeer } from './oidc-peer.js';

// oidc-provider prints its NOTICEs with console.info (stdout); keep stdout for the protocol.
console.info = (...args: unknown[]) => console.error(...args);
console.log = (...args: unknown[]) => console.error(...args);

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'access-ttl': { type: 'string' } },
});

const reply = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const peer = await startOidcPeer({
  port: values.port === undefined ? 0 : Number(values.port),
  accessTtlSeconds: values['access-ttl'] === undefined ? 3600 : Number(values['access-ttl']),
});
reply({ issuer: peer.issuer, tokenUrl: peer.tokenUrl, clientId: peer.clientId });

const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
// Commands are answered strictly in order, one reply line per non-empty input line.
let chain: Promise<void> = Promise.resolve();
rl.on('line', (line) => {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  if (!cmd) return;
  chain = chain.then(async () => {
    try {
      if (cmd === 'mint' && rest.length === 1) reply(await peer.mint(rest[0]!));
      else if (cmd === 'stats' && rest.length === 0) reply(peer.stats());
      else reply({ error: `unknown command: ${line.trim()}` });
    } catch (err) {
      reply({ error: err instanceof Error ? err.message : String(err) });
    }
  });
});
rl.on('close', () => {
  void chain.then(async () => {
    await peer.close();
    process.exit(0);
  });
});
