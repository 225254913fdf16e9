import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostIdentity } from '../broker/owner.js';
import { hasBrowser } from '../cli/browser.js';
import { emulatorEnv } from '../emulator/server.js';
import { isClawkeepError } from '../errors.js';
import { callbackSpec } from '../login/callback-spec.js';
import { fenceGraceMs } from '../openclaw/fence.js';
import {
  checkProviderEnv,
  getProvider,
  resolveBaseUrl,
  resolveOAuthEndpoints,
} from '../providers/registry.js';
import { resolveHome } from '../store/home.js';
import { resolveStoreLocation } from '../store/location.js';
import { ENV_SCHEMA, readEnv, readEnvVar, readProviderEnv } from './env.js';
import { loadConfig } from './schema.js';

function failure(fn: () => unknown): { message: string; hint: string | null } {
  try {
    fn();
  } catch (err) {
    if (isClawkeepError(err, 'config_invalid')) return { message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error('expected config_invalid');
}

describe('environment schema', () => {
  it.each([
    ['CLAWKEEP_GATEWAY_PORT', 'abc', 'expected a port number 0-65535'],
    ['CLAWKEEP_GATEWAY_PORT', '70000', 'expected a port number 0-65535'],
    ['CLAWKEEP_LEASE_TTL_MS', 'soon', 'expected a positive whole number of milliseconds'],
    ['CLAWKEEP_LEASE_TTL_MS', '-5', 'expected a positive whole number'],
    ['CLAWKEEP_REFRESH_TIMEOUT_MS', '1.5', 'positive whole number of milliseconds'],
    ['CLAWKEEP_LOGIN_CALLBACK_PORTS', '1455;1457', 'comma-separated port numbers'],
    ['CLAWKEEP_LOGIN_CALLBACK_PORTS', '0', 'between 1 and 65535'],
    ['CLAWKEEP_DEBUG', 'maybe', 'expected 1 or 0'],
    ['CLAWKEEP_LOG_FORMAT', 'xml', 'expected json or pretty'],
    ['CLAWKEEP_OPENAI_CODEX_TOKEN_URL', 'not a url', 'expected an http(s) URL'],
    ['CLAWKEEP_ANTHROPIC_BASE_URL', 'ftp://x.test', 'expected an http(s) URL'],
  ])('%s=%s names the variable, its value and the expectation', (name, value, expected) => {
    const f = failure(() => readEnv({ [name]: value }));
    expect(f.message).toContain(`${name}=${JSON.stringify(value)}`);
    expect(f.message.toLowerCase()).toContain(expected.toLowerCase());
    expect(f.hint).toBeTruthy();
  });

  it('reports every bad variable in one pass', () => {
    const f = failure(() => readEnv({ CLAWKEEP_GATEWAY_PORT: 'abc', CLAWKEEP_LEASE_TTL_MS: 'x' }));
    expect(f.message).toContain('CLAWKEEP_GATEWAY_PORT');
    expect(f.message).toContain('CLAWKEEP_LEASE_TTL_MS');
  });

  it('parses good values', () => {
    const e = readEnv({
      CLAWKEEP_GATEWAY_PORT: '0',
      CLAWKEEP_LEASE_TTL_MS: '1500',
      CLAWKEEP_LOGIN_CALLBACK_PORTS: '1455, 1457',
      CLAWKEEP_DEBUG: '1',
    });
    expect(e).toMatchObject({
      CLAWKEEP_GATEWAY_PORT: 0,
      CLAWKEEP_LEASE_TTL_MS: 1500,
      CLAWKEEP_LOGIN_CALLBACK_PORTS: [1455, 1457],
      CLAWKEEP_DEBUG: true,
    });
    expect(readEnv({}).CLAWKEEP_DEBUG).toBe(false);
  });

  it('per-provider overrides go through the schema', () => {
    const env = {
      CLAWKEEP_OPENAI_CODEX_TOKEN_URL: 'http://127.0.0.1:1/token',
      CLAWKEEP_OPENAI_CODEX_BASE_URL: 'http://127.0.0.1:1/codex',
    };
    expect(readProviderEnv('openai-codex', env)).toEqual({
      tokenUrl: 'http://127.0.0.1:1/token',
      baseUrl: 'http://127.0.0.1:1/codex',
    });
    const codex = getProvider('openai-codex');
    expect(resolveOAuthEndpoints(codex, env).tokenUrl).toBe('http://127.0.0.1:1/token');
    expect(resolveBaseUrl(codex, env)).toBe('http://127.0.0.1:1/codex');
    expect(
      failure(() => resolveBaseUrl(codex, { CLAWKEEP_OPENAI_CODEX_BASE_URL: 'nope' })).message,
    ).toContain('CLAWKEEP_OPENAI_CODEX_BASE_URL="nope"');
  });

  it('names every CLAWKEEP_ variable the sources mention (providers aside), so a bad value is caught once', () => {
    const src = fileURLToPath(new URL('..', import.meta.url));
    const mentioned = new Set<string>();
    for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      for (const m of readFileSync(join(src, f), 'utf8').matchAll(/\bCLAWKEEP_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        mentioned.add(m[0]);
      }
    }
    const perProvider = /^CLAWKEEP_[A-Z0-9_]+?_(TOKEN_URL|AUTHORIZE_URL|DEVICE_URL|BASE_URL|CLIENT_ID)$/;
    const missing = [...mentioned].filter((v) => !perProvider.test(v) && !(v in ENV_SCHEMA.shape));
    expect(missing).toEqual([]);
    expect(failure(() => readEnv({ CLAWKEEP_PG_POOL_MAX: 'lots' })).message).toContain(
      'CLAWKEEP_PG_POOL_MAX="lots": expected a positive whole number of connections',
    );
    expect(failure(() => readEnv({ CLAWKEEP_FENCE_GRACE_MS: '-1' })).message).toContain(
      'CLAWKEEP_FENCE_GRACE_MS',
    );
  });

  it('no module reads a CLAWKEEP_ variable around it (only writes, to hand a flag to child processes)', () => {
    const src = fileURLToPath(new URL('..', import.meta.url));
    const reads: string[] = [];
    for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts') || f === join('config', 'env.ts')) continue;
      readFileSync(join(src, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // `env.CLAWKEEP_X`, `env['CLAWKEEP_X']`, `env[SOME_ENV]` read (not assigned, not deleted).
          const read = /\benv(\.CLAWKEEP_\w+\b|\[['A-Z_]+\])(?!\s*=[^=])/.exec(line);
          if (
            read &&
            !/\bdelete\s/.test(line) &&
            !/const savedStore = process\.env\.CLAWKEEP_STORE;/.test(line)
          )
            reads.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(reads).toEqual([]);
  });

  it('modules needing one variable read it through the schema: a bad value is named, never ignored', () => {
    expect(failure(() => fenceGraceMs({ CLAWKEEP_FENCE_GRACE_MS: 'soon' })).message).toContain(
      'CLAWKEEP_FENCE_GRACE_MS="soon": expected a whole number of milliseconds',
    );
    expect(fenceGraceMs({ CLAWKEEP_FENCE_GRACE_MS: '0' })).toBe(0);
    expect(fenceGraceMs({ CLAWKEEP_FENCE_GRACE_MS: '' })).toBe(60_000);
    expect(resolveStoreLocation('/h', undefined, { CLAWKEEP_STORE: '/s/x.sqlite' })).toMatchObject({
      kind: 'sqlite',
      path: '/s/x.sqlite',
    });
    expect(readEnvVar('CLAWKEEP_PG_POOL_MAX', { CLAWKEEP_PG_POOL_MAX: '4' })).toBe(4);
    expect(
      failure(() => readEnvVar('CLAWKEEP_PG_POOL_MAX', { CLAWKEEP_PG_POOL_MAX: '0' })).message,
    ).toContain('CLAWKEEP_PG_POOL_MAX="0": expected a positive whole number of connections');
    expect(hostIdentity({ CLAWKEEP_HOST_ID: 'box-7' })).toBe('box-7');
    expect(hasBrowser({ CLAWKEEP_NO_BROWSER: '1', DISPLAY: ':0' })).toBe(false);
  });

  it('a per-provider variable that cannot mean anything is named, not ignored', () => {
    expect(
      failure(() => checkProviderEnv({ CLAWKEEP_ANTHROPIC_DEVICE_URL: 'http://127.0.0.1:1/device' })).message,
    ).toContain('CLAWKEEP_ANTHROPIC_DEVICE_URL is set, but anthropic has no device login');
    expect(
      failure(() => checkProviderEnv({ CLAWKEEP_OPENAI_TOKEN_URL: 'http://127.0.0.1:1/t' })).message,
    ).toContain('CLAWKEEP_OPENAI_TOKEN_URL is set, but openai has no OAuth login');
    // The emulator's routing is all meaningful.
    expect(() => checkProviderEnv(emulatorEnv('http://127.0.0.1:1'))).not.toThrow();
  });

  it('every reader goes through it: gateway config, home, login ports', () => {
    expect(failure(() => loadConfig('/nonexistent', { CLAWKEEP_GATEWAY_PORT: 'abc' })).message).toContain(
      'CLAWKEEP_GATEWAY_PORT="abc": expected a port number 0-65535',
    );
    expect(loadConfig('/nonexistent', { CLAWKEEP_GATEWAY_PORT: '0' }).config.gateway.port).toBe(0);
    expect(resolveHome(undefined, { CLAWKEEP_HOME: '', HOME: '/h' })).not.toBe('');
    expect(callbackSpec('anthropic', { CLAWKEEP_LOGIN_CALLBACK_PORTS: '' }).ports).toEqual([53692]);
    expect(callbackSpec('anthropic', { CLAWKEEP_LOGIN_CALLBACK_PORTS: '4000' }).ports).toEqual([4000]);
  });
});
