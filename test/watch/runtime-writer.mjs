// Plays an OpenClaw runtime that still writes the leftover auth-profiles.json (the 2026.6 split):
// rotates the Codex login COUNT times, each time writing the new tokens into the leftover file
// atomically (temp + rename, as OpenClaw's own JSON writer), then reads the store OpenClaw's gateway
// reads (openclaw-agent.sqlite, or state/openclaw.sqlite) until it holds the new refresh token.
// Prints one JSON line per rotation: {"k":…, "healedMs":…} (healedMs null: not healed within healTimeoutMs, default 10 s).
// Usage: node runtime-writer.mjs <state> <count> <intervalMs> [startK] [healTimeoutMs]
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [state, countText, intervalText, startText, timeoutText] = process.argv.slice(2);
const healTimeout = Number(timeoutText ?? 10_000);
const count = Number(countText);
const interval = Number(intervalText);
const start = Number(startText ?? 1);
const T0 = 1_790_000_000;
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (iat) =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat, exp: iat + 864000, 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-fake-codex' } })}.fake-signature`;
const agentDir = join(state, 'agents', 'main', 'agent');
const leftover = join(agentDir, 'auth-profiles.json');

function storeRefresh() {
  for (const [path, sql] of [
    [
      join(state, 'state', 'openclaw.sqlite'),
      `SELECT value_json AS j FROM config_machine_state WHERE state_key = 'authProfiles.store'`,
    ],
    [
      join(agentDir, 'openclaw-agent.sqlite'),
      `SELECT store_json AS j FROM auth_profile_store WHERE store_key = 'primary'`,
    ],
  ]) {
    let db;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
      const row = db.prepare(sql).get();
      if (!row) continue;
      const profiles = JSON.parse(row.j).profiles ?? {};
      const p = profiles['openai:default'] ?? profiles['openai-codex:default'];
      if (p) return p.refresh;
    } catch {
      // not this era's store
    } finally {
      db?.close();
    }
  }
  return null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let k = start; k < start + count; k++) {
  const refresh = `fake-watch-refresh-${k}`;
  const doc = {
    version: 1,
    profiles: {
      'openai-codex:default': {
        type: 'oauth',
        provider: 'openai-codex',
        access: jwt(T0 + 7200 + k * 60),
        refresh,
        expires: (T0 + 7200 + k * 60 + 864000) * 1000,
        accountId: 'acct-fake-codex',
        email: 'codex@example.invalid',
      },
    },
  };
  const tmp = `${leftover}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  const t0 = performance.now();
  renameSync(tmp, leftover);
  let healedMs = null;
  while (performance.now() - t0 < healTimeout) {
    if (storeRefresh() === refresh) {
      healedMs = performance.now() - t0;
      break;
    }
    await sleep(2);
  }
  process.stdout.write(`${JSON.stringify({ k, healedMs })}\n`);
  await sleep(interval);
}
