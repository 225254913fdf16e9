// Plays Codex CLI: reads $CODEX_HOME/auth.json, refreshes with its refresh token exactly as Codex does
// (JSON body, client id, scope), and writes the rotated tokens back the way Codex does (truncate +
// write, pretty JSON, 0600), keeping fields it does not know. Usage: codex-cli-sim.mjs AUTH_JSON TOKEN_URL
import { readFileSync, writeFileSync } from 'node:fs';

const [path, tokenUrl] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(path, 'utf8'));
const res = await fetch(tokenUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    grant_type: 'refresh_token',
    refresh_token: doc.tokens.refresh_token,
    scope: 'openid profile email',
  }),
});
const body = await res.json();
if (!res.ok) {
  process.stdout.write(`${JSON.stringify({ ok: false, status: res.status, body })}\n`);
  process.exit(1);
}
doc.tokens = {
  ...doc.tokens,
  id_token: body.id_token ?? doc.tokens.id_token,
  access_token: body.access_token,
  refresh_token: body.refresh_token ?? doc.tokens.refresh_token,
};
doc.last_refresh = new Date().toISOString();
writeFileSync(path, JSON.stringify(doc, null, 2), { mode: 0o600 });
process.stdout.write(`${JSON.stringify({ ok: true, status: res.status })}\n`);
