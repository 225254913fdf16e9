import { z } from 'zod';
import { ClawkeepError } from '../errors.js';

type Env = NodeJS.ProcessEnv;

const MS = 'expected a positive whole number of milliseconds';
const positiveMs = z.coerce.number({ error: MS }).int(MS).positive(MS);
const port = z.coerce
  .number({ error: 'expected a port number 0-65535' })
  .int('expected a port number 0-65535')
  .min(0, 'expected a port number 0-65535')
  .max(65535, 'expected a port number 0-65535');
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''], { error: 'expected 1 or 0 (true/false)' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const path = z.string().min(1, 'expected a path');
const text = z.string();

/**
 * Every environment variable clawkeep reads, with the value it expects. Read them only through
 * `readEnv` (and `readProviderEnv` for `CLAWKEEP_<PROVIDER>_*`), so a bad value is named once, here.
 */
export const ENV_SCHEMA = z.object({
  CLAWKEEP_HOME: path.optional(),
  CLAWKEEP_CONFIG: path.optional(),
  CLAWKEEP_GATEWAY_HOST: z.string().min(1, 'expected a host name or address').optional(),
  CLAWKEEP_GATEWAY_PORT: port.optional(),
  CLAWKEEP_LEASE_TTL_MS: positiveMs.optional(),
  CLAWKEEP_REFRESH_TIMEOUT_MS: positiveMs.optional(),
  CLAWKEEP_LOGIN_CALLBACK_PORTS: z
    .string()
    .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, 'expected comma-separated port numbers, e.g. 1455,1457')
    .transform((s) => s.split(',').map((p) => Number(p.trim())))
    .refine((ports) => ports.every((p) => p >= 1 && p <= 65535), 'expected ports between 1 and 65535')
    .optional(),
  CLAWKEEP_NO_BROWSER: text.optional().transform((v) => Boolean(v)),
  CLAWKEEP_DEBUG: flag.optional().transform((v) => v ?? false),
  CLAWKEEP_LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'expected json or pretty' }).optional(),
  // Store encryption keys: checked (without echoing them) by src/store/crypto/key-store.ts.
  CLAWKEEP_STORE_KEY: text.optional(),
  CLAWKEEP_STORE_NEW_KEY: text.optional(),
  CLAWKEEP_STORE: z.string().min(1, 'expected postgres://… or a SQLite file path').optional(),
  CLAWKEEP_STORE_PASSWORD_FILE: path.optional(),
  CLAWKEEP_PG_POOL_MAX: z.coerce
    .number({ error: 'expected a positive whole number of connections' })
    .int('expected a positive whole number of connections')
    .positive('expected a positive whole number of connections')
    .optional(),
  CLAWKEEP_HOST_ID: text.optional(),
  CLAWKEEP_FENCE_GRACE_MS: z.coerce
    .number({ error: 'expected a whole number of milliseconds, 0 or more' })
    .int('expected a whole number of milliseconds, 0 or more')
    .nonnegative('expected a whole number of milliseconds, 0 or more')
    .optional(),
  CLAWKEEP_DASHBOARD_INSECURE_REMOTE: text.optional(),
  // Other tools' homes, read when importing or linking their logins.
  CODEX_HOME: path.optional(),
  CLAUDE_CONFIG_DIR: path.optional(),
  PI_CODING_AGENT_DIR: path.optional(),
  OPENCLAW_STATE_DIR: path.optional(),
  // Whether a browser can be opened.
  CI: text.optional(),
  DISPLAY: text.optional(),
  WAYLAND_DISPLAY: text.optional(),
  SSH_CONNECTION: text.optional(),
  SSH_TTY: text.optional(),
  // How clawkeep was invoked (npx or a global install).
  npm_execpath: text.optional(),
  npm_command: text.optional(),
  npm_lifecycle_event: text.optional(),
});

export type ClawkeepEnv = z.output<typeof ENV_SCHEMA>;

/** The per-provider overrides: `CLAWKEEP_<PROVIDER>_<SUFFIX>`. */
const PROVIDER_SUFFIXES = {
  TOKEN_URL: 'tokenUrl',
  AUTHORIZE_URL: 'authorizeUrl',
  DEVICE_URL: 'deviceUrl',
  BASE_URL: 'baseUrl',
  CLIENT_ID: 'clientId',
} as const;

export type ProviderEnv = Partial<Record<(typeof PROVIDER_SUFFIXES)[keyof typeof PROVIDER_SUFFIXES], string>>;

const PROVIDER_VAR = /^CLAWKEEP_[A-Z0-9_]+?_(TOKEN_URL|AUTHORIZE_URL|DEVICE_URL|BASE_URL|CLIENT_ID)$/;
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** `openai-codex` → `CLAWKEEP_OPENAI_CODEX_`. */
export function providerEnvPrefix(providerId: string): string {
  return `CLAWKEEP_${providerId.toUpperCase().replace(/-/g, '_')}_`;
}

/**
 * Parses and validates every variable clawkeep reads. An invalid one fails with `config_invalid`,
 * naming each bad variable, its value and what was expected.
 */
export function readEnv(env: Env = process.env): ClawkeepEnv {
  const problems: string[] = [];
  // `VAR= clawkeep …` unsets a variable for one command, as shells and most tools treat it.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ENV_SCHEMA.safeParse(set);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const name = String(i.path[0]);
      problems.push(`${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`);
    }
  }
  for (const [name, value] of Object.entries(set)) {
    const m = PROVIDER_VAR.exec(name);
    if (!m || m[1] === 'CLIENT_ID' || value === undefined) continue;
    if (!httpUrl.safeParse(value).success)
      problems.push(`${name}=${JSON.stringify(value)}: expected an http(s) URL`);
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ClawkeepError('config_invalid', `invalid environment: ${problems.join('; ')}`, {
      details: { variables: problems.map((p) => p.split('=', 1)[0]) },
      hint: 'fix or unset the variable named above',
    });
  }
  return parsed.data;
}

/**
 * One variable of the schema, validated alone (a module that needs one setting does not fail on
 * another's bad value; the command's own `readEnv` names that one). Empty means unset.
 */
export function readEnvVar<K extends keyof ClawkeepEnv>(name: K, env: Env = process.env): ClawkeepEnv[K] {
  const raw = env[name];
  const parsed = ENV_SCHEMA.shape[name].safeParse(raw === '' ? undefined : raw);
  if (!parsed.success) {
    throw new ClawkeepError(
      'config_invalid',
      `invalid environment: ${name}=${JSON.stringify(raw ?? '')}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      { details: { variables: [name] }, hint: 'fix or unset the variable named above' },
    );
  }
  return parsed.data as ClawkeepEnv[K];
}

/** `CLAWKEEP_<PROVIDER>_{TOKEN_URL,AUTHORIZE_URL,DEVICE_URL,BASE_URL,CLIENT_ID}` for one provider. */
export function readProviderEnv(providerId: string, env: Env = process.env): ProviderEnv {
  readEnv(env);
  const pre = providerEnvPrefix(providerId);
  const out: ProviderEnv = {};
  for (const [suffix, key] of Object.entries(PROVIDER_SUFFIXES)) {
    const v = env[`${pre}${suffix}`];
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

/** `CLAWKEEP_DEBUG` alone, never throwing: error reporting must work with a broken environment. */
export function isDebugEnv(env: Env = process.env): boolean {
  const r = ENV_SCHEMA.shape.CLAWKEEP_DEBUG.safeParse(env.CLAWKEEP_DEBUG);
  return r.success && r.data;
}
