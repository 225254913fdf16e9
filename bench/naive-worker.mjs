// The baseline: how agents refresh today (pi-ai's getOAuthApiKey pattern). Each process reads the
// credentials file, refreshes on its own when the token is inside the window, writes the file back.
// In-process callers share one refresh (a kindness), but nothing coordinates across processes.
// argv: file tokenUrl clientId n. Prints {ok, errors}.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const [file, tokenUrl, clientId, n] = process.argv.slice(2);
let inflight = null;

async function getApiKey() {
  const cred = JSON.parse(readFileSync(file, 'utf8'));
  if (Date.now() < cred.expires - 5 * 60_000) return cred.access;
  inflight ??= (async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: cred.refresh,
        client_id: clientId,
      }),
    });
    if (!res.ok) throw new Error(`refresh failed: ${res.status}`);
    const body = await res.json();
    const next = {
      access: body.access_token,
      refresh: body.refresh_token,
      expires: Date.now() + body.expires_in * 1000,
    };
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(next));
    renameSync(`${file}.${process.pid}`, file);
    return next.access;
  })();
  return inflight;
}

const results = await Promise.allSettled(Array.from({ length: Number(n) }, getApiKey));
const ok = results.filter((r) => r.status === 'fulfilled').length;
process.stdout.write(`${JSON.stringify({ ok, errors: results.length - ok })}\n`);
