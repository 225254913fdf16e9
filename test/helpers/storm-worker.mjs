// One OS process of a refresh storm: N concurrent getAccessToken calls through the compiled broker.
// argv: home profileId n. Prints one JSON line: {pid, tokens: {token: count}, errors: {code: count}}.
import { Broker } from '../../dist/broker/broker.js';
import { openStore } from '../../dist/store/open-store.js';

const [home, profileId, n] = process.argv.slice(2);
const { store } = openStore({ home });
const broker = new Broker({ store });
const results = await Promise.allSettled(
  Array.from({ length: Number(n) }, () => broker.getAccessToken(profileId)),
);
const tokens = {};
const errors = {};
for (const r of results) {
  if (r.status === 'fulfilled') tokens[r.value] = (tokens[r.value] ?? 0) + 1;
  else errors[r.reason?.code ?? 'unknown'] = (errors[r.reason?.code ?? 'unknown'] ?? 0) + 1;
}
await store.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, tokens, errors })}\n`);
