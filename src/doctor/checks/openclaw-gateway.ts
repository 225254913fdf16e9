import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { OPENCLAW_PROVIDER_ID, openclawConfigPath } from '../../clients/openclaw.js';
import { hashClientKey } from '../../gateway/clients.js';
import { gatewayUrlFor } from '../../import/configure-openclaw.js';
import { fingerprint } from '../../util/fingerprint.js';
import { type Takeover, takeoversOf } from '../takeovers.js';
import type { Check, DoctorContext, Finding } from '../types.js';

/**
 * The other half of a takeover (`import openclaw --move`): OpenClaw no longer holds those logins, so
 * its config must send model calls to the clawkeep gateway (`models.providers.clawkeep`, primary model
 * `clawkeep/…`) with a client key the store knows. Checked only for state dirs with a takeover.
 */
export const openclawGatewayCheck: Check = {
  id: 'openclaw-gateway',
  title: 'OpenClaw calls the clawkeep gateway for the logins clawkeep took over',
  run(ctx) {
    const out: Finding[] = [];
    for (const home of ctx.scans()) {
      const taken = home.agents.flatMap((a) => takeoversOf(ctx.takeovers() ?? [], a.dir));
      if (taken.length === 0) continue;
      const f = judgeConfig(ctx, home.dir, taken);
      out.push({ check: this.id, home: home.dir, ...f });
    }
    return out;
  },
};

type Judged = Omit<Finding, 'check' | 'home'>;

function judgeConfig(ctx: DoctorContext, stateDir: string, taken: Takeover[]): Judged {
  const path = openclawConfigPath(stateDir);
  const what = `${taken.length} login${taken.length === 1 ? '' : 's'} moved into clawkeep (${taken
    .map((t) => t.profileId)
    .filter((id, i, all) => all.indexOf(id) === i)
    .join(', ')})`;
  const connect = `${ctx.command} connect openclaw --config ${path}`;
  const problem = (code: string, message: string, severity: 'warn' | 'error' = 'warn'): Judged => ({
    severity,
    code,
    path,
    message: `${what}, but ${message}: OpenClaw's agents have no way to use them`,
    next: connect,
  });
  if (!existsSync(path)) return problem('gateway_not_configured', `${path} does not exist`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {
      severity: 'warn',
      code: 'gateway_config_unverified',
      path,
      message: `${what}; ${path} is not plain JSON (JSON5 comments?), so the doctor cannot verify that it points at the gateway`,
      next: `check models.providers.${OPENCLAW_PROVIDER_ID} in ${path} by hand, or: ${connect}`,
    };
  }
  const provider = pick(doc, ['models', 'providers', OPENCLAW_PROVIDER_ID]);
  if (!provider || typeof provider !== 'object') {
    return problem('gateway_not_configured', `${path} has no models.providers.${OPENCLAW_PROVIDER_ID}`);
  }
  const { baseUrl, apiKey } = provider as { baseUrl?: unknown; apiKey?: unknown };
  const url = gatewayUrl(ctx.clawkeepHome);
  const base = typeof baseUrl === 'string' ? baseUrl.replace(/\/+$/, '') : null;
  if (url && (base === null || (base !== url && !base.startsWith(`${url}/`)))) {
    return problem(
      'gateway_url_mismatch',
      `${path} sends them to ${String(baseUrl)}, not this clawkeep's gateway (${url})`,
    );
  }
  const primary = pick(doc, ['agents', 'defaults', 'model', 'primary']);
  if (typeof primary !== 'string' || !primary.startsWith(`${OPENCLAW_PROVIDER_ID}/`)) {
    return problem(
      'gateway_not_primary',
      `${path} makes ${String(primary ?? 'no model')} the agents' primary model, not ${OPENCLAW_PROVIDER_ID}/…`,
    );
  }
  const key = resolveKey(apiKey);
  if (key === null)
    return problem('gateway_key_invalid', `${path} holds no client key for the gateway`, 'error');
  const known = clientKeyHashes(ctx);
  if (known && !known.has(hashClientKey(key))) {
    return problem(
      'gateway_key_invalid',
      `the client key in ${path} (${fingerprint(key)}) is not one clawkeep knows (revoked, or from another clawkeep home); the gateway refuses it`,
      'error',
    );
  }
  return {
    severity: 'ok',
    code: 'gateway_configured',
    path,
    message: `${what}; ${path} sends OpenClaw's model calls to ${url ?? String(baseUrl)} with a valid client key`,
  };
}

function pick(doc: unknown, keys: string[]): unknown {
  let v = doc;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The key as OpenClaw would send it: `${VAR}` references resolve from the environment. */
function resolveKey(v: unknown): string | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v.trim());
  if (!ref) return v.trim();
  return process.env[ref[1]!]?.trim() || null;
}

function gatewayUrl(home: string): string | null {
  try {
    return gatewayUrlFor(home);
  } catch {
    return null;
  }
}

/** Key hashes of the store's clients, read-only; null when the store cannot be read here. */
function clientKeyHashes(ctx: DoctorContext): Set<string> | null {
  const s = ctx.clawkeepStore();
  if (s.kind !== 'ok' || !s.inspection.profiles) return null;
  const db = new Database(s.path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const rows = db.prepare('SELECT key_hash FROM clients').all() as Array<{ key_hash: string }>;
    return new Set(rows.map((r) => r.key_hash));
  } finally {
    db.close();
  }
}
