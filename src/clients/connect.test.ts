import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, hashClientKey } from '../gateway/clients.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { connectClient, connectRecordPath, previewConnect, undoConnect } from './connect.js';
import { connectorFor } from './registry.js';
import { getAt } from './settings-edit.js';

let dir: string;
let home: string;
let store: Store;
const GW = 'http://127.0.0.1:18790';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clawkeep-connect-'));
  home = join(dir, 'clawkeep');
  store = openStore({ home }).store;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function put(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

const CODEX_CONFIG = `model = "gpt-5.1-codex"
approval_policy = "on-request"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]

[model_providers.azure]
name = "Azure"
base_url = "https://example.invalid/openai"
env_key = "AZURE_KEY"
`;

describe('connectClient', () => {
  it('codex --limits: chatgpt_base_url sends /status limits reads (wham/usage) to the gateway', async () => {
    const path = join(dir, 'codex-limits', 'config.toml');
    await connectClient(store, home, {
      connector: connectorFor('codex'),
      path,
      gatewayUrl: GW,
      limits: true,
    });
    expect(parseToml(readFileSync(path, 'utf8')).chatgpt_base_url).toBe(`${GW}/backend-api/`);
  });

  it('codex: adds the provider, makes it active, keeps every other key, backs up the old file', async () => {
    const path = join(dir, 'codex', 'config.toml');
    put(path, CODEX_CONFIG);
    const r = await connectClient(store, home, { connector: connectorFor('codex'), path, gatewayUrl: GW });

    const doc = parseToml(readFileSync(path, 'utf8'));
    const at = (...p: string[]) => getAt(doc, p).value;
    expect(doc.model_provider).toBe('clawkeep');
    // Codex Cloud and plugins read chatgpt_base_url too: it is only set with --limits (below).
    expect(doc.chatgpt_base_url).toBeUndefined();
    expect(at('model_providers', 'clawkeep')).toEqual({
      name: 'clawkeep',
      base_url: `${GW}/v1`,
      wire_api: 'responses',
      experimental_bearer_token: r.key,
    });
    expect(doc.model).toBe('gpt-5.1-codex');
    expect(doc.approval_policy).toBe('on-request');
    expect(at('mcp_servers', 'docs', 'args')).toEqual(['-y', 'docs-mcp']);
    expect(at('model_providers', 'azure', 'env_key')).toBe('AZURE_KEY');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(r.backup).not.toBeNull();
    expect(readFileSync(r.backup as string, 'utf8')).toBe(CODEX_CONFIG);
    expect(statSync(r.backup as string).mode & 0o777).toBe(0o600);
    const client = await store.findClientByHash(hashClientKey(r.key));
    expect(client?.name).toBe('codex');
  });

  it('claude-code: sets only its env keys in settings.json', async () => {
    const path = join(dir, 'claude', 'settings.json');
    const before = { permissions: { allow: ['Bash(ls:*)'] }, env: { DISABLE_TELEMETRY: '1' } };
    put(path, `${JSON.stringify(before, null, 2)}\n`);
    const r = await connectClient(store, home, {
      connector: connectorFor('claude-code'),
      path,
      gatewayUrl: `${GW}/`,
    });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      permissions: { allow: ['Bash(ls:*)'] },
      env: { DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: GW, ANTHROPIC_AUTH_TOKEN: r.key },
    });
  });

  it.each([
    ['opencode', ['provider', 'clawkeep', 'options', 'baseURL'], `${GW}/v1`],
    ['pi', ['providers', 'clawkeep', 'baseUrl'], `${GW}/v1`],
    ['openclaw', ['models', 'providers', 'clawkeep', 'baseUrl'], `${GW}/v1`],
  ] as const)(
    '%s: creates the file when there is none, with the default model and the chains',
    async (id, at, url) => {
      const path = join(dir, id, 'config.json');
      const r = await connectClient(store, home, {
        connector: connectorFor(id),
        path,
        gatewayUrl: GW,
        extraModels: ['chain:main'],
      });
      expect(r.backup).toBeNull();
      expect(getAt(JSON.parse(readFileSync(path, 'utf8')), at).value).toBe(url);
      expect(readFileSync(path, 'utf8')).toContain(r.key);
      expect(readFileSync(path, 'utf8')).toContain('chain:main');
    },
  );

  it('pi with --api messages points at the gateway root (pi appends /v1/messages)', async () => {
    const path = join(dir, 'pi', 'models.json');
    await connectClient(store, home, {
      connector: connectorFor('pi'),
      path,
      gatewayUrl: GW,
      api: 'messages',
    });
    const p = JSON.parse(readFileSync(path, 'utf8')).providers.clawkeep;
    expect(p).toMatchObject({ baseUrl: GW, api: 'anthropic-messages' });
  });

  it('refuses an API the client does not speak, before creating a key', async () => {
    const path = join(dir, 'codex', 'config.toml');
    await expect(
      connectClient(store, home, { connector: connectorFor('codex'), path, gatewayUrl: GW, api: 'chat' }),
    ).rejects.toThrow(/--api chat: Codex CLI speaks responses/);
    expect(await store.listClients()).toEqual([]);
  });

  it('refuses a file it cannot parse, naming it, before creating a key or touching it', async () => {
    const path = join(dir, 'claude', 'settings.json');
    put(path, '{ // mine\n "env": {} }');
    await expect(
      connectClient(store, home, { connector: connectorFor('claude-code'), path, gatewayUrl: GW }),
    ).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe('{ // mine\n "env": {} }');
    expect(await store.listClients()).toEqual([]);
  });

  it('refuses to connect twice; a key name already taken gets a suffix', async () => {
    const path = join(dir, 'codex', 'config.toml');
    const c = connectorFor('codex');
    await createClient(store, 'codex', null);
    const r = await connectClient(store, home, { connector: c, path, gatewayUrl: GW });
    expect(r.clientName).toBe('codex-2');
    await expect(connectClient(store, home, { connector: c, path, gatewayUrl: GW })).rejects.toThrow(
      /already connected.*--undo/,
    );
  });
});

describe('previewConnect (--print)', () => {
  it('renders the settings with a placeholder naming the command that creates the key; creates nothing', async () => {
    const path = join(dir, 'opencode', 'opencode.json');
    const p = previewConnect({
      connector: connectorFor('opencode'),
      path,
      gatewayUrl: GW,
      model: 'chain:main',
      chain: 'main',
    });
    expect(existsSync(path)).toBe(false);
    expect(existsSync(connectRecordPath(home, 'opencode'))).toBe(false);
    expect(await store.listClients()).toEqual([]);
    const snippet = JSON.parse(p.snippet);
    expect(snippet.model).toBe('clawkeep/chain:main');
    expect(snippet.provider.clawkeep.options.apiKey).toBe(p.keyPlaceholder);
    expect(p.keyPlaceholder).toMatch(
      /^<client key: (npx )?clawkeep clients add opencode --kind opencode --chain main>$/,
    );
  });

  it('refuses an API the client does not speak', () => {
    expect(() =>
      previewConnect({ connector: connectorFor('claude-code'), path: 'x', gatewayUrl: GW, api: 'chat' }),
    ).toThrow(/--api chat: Claude Code speaks messages/);
  });
});

describe('undoConnect', () => {
  it('restores an untouched file byte for byte with its mode, and revokes the key', async () => {
    const path = join(dir, 'codex', 'config.toml');
    put(path, CODEX_CONFIG, 0o640);
    const c = connectorFor('codex');
    const r = await connectClient(store, home, { connector: c, path, gatewayUrl: GW });
    const u = await undoConnect(store, home, 'codex', c);
    expect(u.action).toBe('restored');
    expect(readFileSync(path, 'utf8')).toBe(CODEX_CONFIG);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(u.revoked).toBe(true);
    expect(await store.findClientByHash(hashClientKey(r.key))).toBeNull();
    expect(existsSync(connectRecordPath(home, 'codex'))).toBe(false);
    expect(existsSync(r.backup as string)).toBe(true);
  });

  it('an edited file keeps the edits; only clawkeep’s settings are put back', async () => {
    const path = join(dir, 'claude', 'settings.json');
    put(path, JSON.stringify({ env: { ANTHROPIC_BASE_URL: 'https://corp-proxy' } }));
    const c = connectorFor('claude-code');
    await connectClient(store, home, { connector: c, path, gatewayUrl: GW });
    const edited = JSON.parse(readFileSync(path, 'utf8'));
    edited.theme = 'light';
    writeFileSync(path, JSON.stringify(edited, null, 2));
    const u = await undoConnect(store, home, 'claude-code', c);
    expect(u.action).toBe('reverted');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      env: { ANTHROPIC_BASE_URL: 'https://corp-proxy' },
      theme: 'light',
    });
    expect(JSON.parse(readFileSync(u.backup as string, 'utf8')).theme).toBe('light');
  });

  it('a file connect created is moved aside, not deleted', async () => {
    const path = join(dir, 'pi', 'models.json');
    const c = connectorFor('pi');
    await connectClient(store, home, { connector: c, path, gatewayUrl: GW });
    const u = await undoConnect(store, home, 'pi', c);
    expect(u.action).toBe('moved-aside');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dirname(path))).toEqual([u.backup?.split('/').pop()]);
  });

  it('without a record says there is nothing to undo', async () => {
    await expect(undoConnect(store, home, 'openclaw', connectorFor('openclaw'))).rejects.toThrow(
      /OpenClaw was not connected by clawkeep/,
    );
  });
});
