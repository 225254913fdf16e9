// The limit: the least a Node proxy can do. Forwards every request to UPSTREAM with a keep-alive pool
// and pipes the answer back. argv: upstreamOrigin port
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const [upstream, port] = process.argv.slice(2);
const pool = new Pool(upstream, { connections: 64 });
const server = createServer(async (req, res) => {
  try {
    const { statusCode, headers, body } = await pool.request({
      method: req.method,
      path: req.url,
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/json',
        authorization: req.headers.authorization ?? '',
        ...(req.headers['chatgpt-account-id'] ? { 'chatgpt-account-id': req.headers['chatgpt-account-id'] } : {}),
      },
      body: req,
    });
    res.writeHead(statusCode, { 'content-type': headers['content-type'] ?? 'application/json' });
    await pipeline(body, res);
  } catch {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  }
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
