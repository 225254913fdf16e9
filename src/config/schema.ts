import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ClawkeepError } from '../errors.js';
import { readEnv } from './env.js';

/** Profile order of a target: see `Strategy` in routing.ts. */
const STRATEGIES = ['ordered', 'fill-first', 'round-robin', 'quota-aware'] as const;

const TargetSpec = z.union([
  z.string().regex(/^[a-z0-9-]+\/.+$/, 'expected "provider/model"'),
  z
    .object({
      target: z.string().regex(/^[a-z0-9-]+\/.+$/, 'expected "provider/model"'),
      profile: z
        .string()
        .regex(/^[^:]+:.+$/, 'expected a profile id "<provider>:<name>"')
        .optional(),
      profiles: z
        .array(z.string().regex(/^[^:]+:.+$/, 'expected a profile id'))
        .min(1)
        .optional(),
      strategy: z.enum(STRATEGIES).optional(),
    })
    .strict(),
]);

const ProviderSettings = z
  .object({
    baseUrl: z.url().optional(),
    /** Profile order for targets without a pinned profile. */
    strategy: z.enum(STRATEGIES).optional(),
  })
  .strict();

/** The config's shape, without the cross-reference rule (`config check` reports those all at once). */
const ConfigShape = z
  .object({
    gateway: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(18790),
        /** Cap on waiting for the upstream's first byte before falling back. */
        firstByteTimeoutMs: z.number().int().positive().default(60_000),
        /** How long `gateway stop` lets in-flight streams finish. */
        shutdownGraceMs: z.number().int().positive().default(10_000),
        /** POSTed a JSON body on every fallback. */
        webhook: z.url().optional(),
        logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** Largest model request body; agents carry long conversations and images. */
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        /** Deepest JSON nesting a request body may have (tool schemas nest, conversations do not). */
        maxJsonDepth: z.number().int().positive().default(128),
        /** Model requests one client key may have in flight; past it, 429 with Retry-After. */
        maxConcurrentPerClient: z.number().int().positive().default(64),
        /** A socket that sends no complete request headers in this time is closed (idle-socket floods). */
        headersTimeoutMs: z.number().int().positive().default(10_000),
        /**
         * A socket that has been answered is closed after this long without a next request. Above the
         * 4-5 s after which undici, Node's agent and httpx drop an idle socket themselves (so they never
         * reuse one the gateway is closing); loopback reconnects cost well under a millisecond.
         */
        httpKeepAliveTimeoutMs: z.number().int().positive().default(10_000),
        /**
         * Open client sockets at most, lowered to fit the descriptor limit; at the cap, the oldest socket
         * that has sent no complete request is closed to make room (src/gateway/connection-cap.ts).
         */
        maxConnections: z.number().int().positive().default(4096),
        /** Extra Host names the gateway answers to (it always answers loopback names). */
        allowedHosts: z.array(z.string().min(1)).default([]),
        /** Lets a scraper read /metrics and /readyz off loopback without a client key. */
        metricsToken: z.string().min(16).optional(),
        /**
         * Hours an OAuth login may go without a refresh before providers may expire it for
         * inactivity; the gateway refreshes idle logins at 80 % of it. 0 turns keep-alive off.
         */
        keepAliveIdleHours: z.number().nonnegative().default(168),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 18790,
        firstByteTimeoutMs: 60_000,
        shutdownGraceMs: 10_000,
        logLevel: 'info',
        maxBodyBytes: 32 * 1024 * 1024,
        maxJsonDepth: 128,
        maxConcurrentPerClient: 64,
        headersTimeoutMs: 10_000,
        httpKeepAliveTimeoutMs: 10_000,
        maxConnections: 4096,
        allowedHosts: [],
        keepAliveIdleHours: 168,
      }),
    providers: z.record(z.string(), ProviderSettings).default({}),
    chains: z
      .record(
        z.string().regex(/^[A-Za-z0-9._-]+$/, 'chain names use letters, digits, . _ -'),
        z.array(TargetSpec).min(1),
      )
      .default({}),
    /** Where the store lives (read by every command through src/store/location.ts). */
    store: z
      .union([z.string(), z.object({ url: z.string(), passwordFile: z.string().optional() }).strict()])
      .optional(),
    /** Chain for clients without their own and requests that name none. */
    defaultChain: z.string().optional(),
    /** Model names clients send, aliased to a chain (`chain:NAME`), a `provider/model` or another model id. */
    models: z.record(z.string().min(1), z.string().min(1)).default({}),
    cooldowns: z
      .object({
        rate_limited: z.number().int().nonnegative().optional(),
        upstream_5xx: z.number().int().nonnegative().optional(),
        connect_error: z.number().int().nonnegative().optional(),
        timeout: z.number().int().nonnegative().optional(),
        auth: z.number().int().nonnegative().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export const ConfigSchema = ConfigShape.superRefine((c, ctx) => {
  if (c.defaultChain && !c.chains[c.defaultChain]) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaultChain'],
      message: `no chain named "${c.defaultChain}" under chains`,
    });
  }
});

export type GatewayConfig = z.infer<typeof ConfigSchema>;
export type TargetSpecInput = z.infer<typeof TargetSpec>;

export const CONFIG_FILES = ['config.yaml', 'config.yml', 'config.json'] as const;

/** Finds `<home>/config.yaml` (or .yml/.json), or `$CLAWKEEP_CONFIG`. Null when there is none. */
export function findConfigFile(home: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = readEnv(env).CLAWKEEP_CONFIG;
  if (explicit) return explicit;
  for (const f of CONFIG_FILES) if (existsSync(join(home, f))) return join(home, f);
  return null;
}

/**
 * Loads and validates the config (embedded defaults when there is no file), then applies env
 * overrides (CLAWKEEP_GATEWAY_HOST, CLAWKEEP_GATEWAY_PORT). Errors name the file, key path and expectation.
 */
export function loadConfig(
  home: string,
  env: NodeJS.ProcessEnv = process.env,
  o: { skipReferences?: boolean } = {},
): { config: GatewayConfig; file: string | null } {
  const file = findConfigFile(home, env);
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ClawkeepError('config_invalid', `cannot read ${file}: ${(err as Error).message}`, {
        cause: err,
        details: { file },
      });
    }
    try {
      raw = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) ?? {};
    } catch (err) {
      throw new ClawkeepError(
        'config_invalid',
        `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
        {
          cause: err,
          details: { file },
        },
      );
    }
  }
  const merged = applyEnv(raw, env);
  const parsed = (o.skipReferences ? ConfigShape : ConfigSchema).safeParse(merged);
  if (!parsed.success) {
    const where = file ?? 'embedded defaults + environment';
    const issues = parsed.error.issues
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new ClawkeepError('config_invalid', `${where} is invalid:\n${issues}`, {
      details: {
        file,
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    });
  }
  return { config: parsed.data, file };
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const gw = { ...((out.gateway as Record<string, unknown> | undefined) ?? {}) };
  const e = readEnv(env);
  if (e.CLAWKEEP_GATEWAY_HOST !== undefined) gw.host = e.CLAWKEEP_GATEWAY_HOST;
  if (e.CLAWKEEP_GATEWAY_PORT !== undefined) gw.port = e.CLAWKEEP_GATEWAY_PORT;
  if (Object.keys(gw).length > 0) out.gateway = gw;
  return out;
}
