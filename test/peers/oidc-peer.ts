/**
 * A second, independent OAuth peer for clawkeep's refresh-storm tests: panva's `oidc-provider` (v9)
 * configured with refresh-token ROTATION. Every successful refresh consumes the presented refresh token
 * and returns a new one; presenting a consumed token again yields `400 invalid_grant` and oidc-provider
 * revokes the whole grant (every access and refresh token of that grant, including the newest one).
 *
 * Differences from a stock oidc-provider setup, all deliberate:
 * - Own unbounded in-memory adapter, one store per peer. oidc-provider's bundled MemoryAdapter keeps a
 *   module-global LRU of ~1000 entries, which a storm with many accounts would silently evict (turning
 *   valid tokens into spurious `invalid_grant`s) and which peers in one process would share.
 * - Token-endpoint requests are processed one at a time (option `serializeTokenEndpoint`, default on).
 *   oidc-provider's refresh handler finds the token, awaits several lookups, and only then consumes it,
 *   so with an adapter that does real I/O two concurrent presentations of one token could both pass the
 *   "consumed?" check and both succeed. With this in-memory adapter the awaits settle as microtasks and
 *   no such race was observed, but the lock makes strict reuse detection a guarantee rather than a
 *   scheduling accident, as a real server with an atomic store would be.
 * - `mint()` builds the Grant, RefreshToken and AccessToken directly through the provider's models (the
 *   same way the authorization_code grant does), so no refresh happens behind the caller's back and
 *   `stats()` only counts what clients did.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';

export interface OidcPeer {
  /** e.g. http://127.0.0.1:PORT */
  issuer: string;
  /** The provider's token endpoint. */
  tokenUrl: string;
  /** A public client (token_endpoint_auth_method 'none') allowed authorization_code + refresh_token. */
  clientId: string;
  /** Creates an account + grant + refresh token directly through the provider's models (no browser). */
  mint(accountId: string): Promise<{ access: string; refresh: string; expires: number /* epoch ms */ }>;
  /** Counters observed via the provider's events: successful refresh grants, invalid_grant errors, revoked grants. */
  stats(): { refreshes: number; invalidGrant: number; grantsRevoked: number };
  close(): Promise<void>;
}

export interface OidcPeerOptions {
  /** Port on 127.0.0.1; 0 / absent = ephemeral. */
  port?: number;
  /** Access token lifetime (ttl.AccessToken), default 3600. */
  accessTtlSeconds?: number;
  /** Refresh token lifetime (ttl.RefreshToken), default 30 days. */
  refreshTtlSeconds?: number;
  /** Process token-endpoint requests one at a time (strict reuse detection), default true. */
  serializeTokenEndpoint?: boolean;
}

export const OIDC_PEER_CLIENT_ID = 'clawkeep-oidc-peer';
/** Scope of minted grants; `openid` makes refresh responses carry an id_token too, like OpenAI's. */
export const OIDC_PEER_SCOPE = 'openid offline_access';

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

interface Entry {
  payload: AdapterPayload;
  expiresAt: number; // epoch ms, Infinity = never
}

/** An unbounded in-memory store implementing oidc-provider's adapter interface, one per peer. */
function createMemoryStore(): (model: string) => Adapter {
  const entries = new Map<string, Entry>(); // `${model}:${id}` → entry
  const grantMembers = new Map<string, Set<string>>(); // grantId → entry keys
  const uids = new Map<string, string>(); // session uid → id
  const userCodes = new Map<string, string>(); // user code → id

  const get = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        const expiresAt =
          typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        entries.set(key, { payload: { ...payload }, expiresAt });
        if (GRANTABLE.has(model) && payload.grantId) {
          let members = grantMembers.get(payload.grantId);
          if (!members) {
            members = new Set();
            grantMembers.set(payload.grantId, members);
          }
          members.add(key);
        }
        if (model === 'Session' && payload.uid) uids.set(payload.uid, id);
        if (payload.userCode) userCodes.set(payload.userCode, id);
      },
      async find(id) {
        const entry = get(keyOf(id));
        return entry ? { ...entry.payload } : undefined;
      },
      async findByUid(uid) {
        const id = uids.get(uid);
        return id === undefined ? undefined : this.find(id);
      },
      async findByUserCode(userCode) {
        const id = userCodes.get(userCode);
        return id === undefined ? undefined : this.find(id);
      },
      async consume(id) {
        const entry = get(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        const key = keyOf(id);
        const entry = entries.get(key);
        entries.delete(key);
        if (entry?.payload.grantId) grantMembers.get(entry.payload.grantId)?.delete(key);
      },
      async revokeByGrantId(grantId) {
        const members = grantMembers.get(grantId);
        if (!members) return;
        // Each grantable model's adapter is asked in turn; remove only this model's members.
        for (const key of [...members]) {
          if (key.startsWith(`${model}:`)) {
            entries.delete(key);
            members.delete(key);
          }
        }
        if (members.size === 0) grantMembers.delete(grantId);
      },
    };
  };
}

export async function startOidcPeer(opts: OidcPeerOptions = {}): Promise<OidcPeer> {
  const accessTtl = opts.accessTtlSeconds ?? 3600;
  const refreshTtl = opts.refreshTtlSeconds ?? 30 * 24 * 3600;
  const serialize = opts.serializeTokenEndpoint ?? true;
  const clientId = OIDC_PEER_CLIENT_ID;

  // The issuer must contain the real port, so listen first and attach the provider afterwards.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.statusCode = 503;
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'peer-rs256' };

  const accounts = new Set<string>();
  const provider = new Provider(issuer, {
    adapter: createMemoryStore(),
    clients: [
      {
        client_id: clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) =>
      accounts.has(sub) ? { accountId: sub, claims: async () => ({ sub }) } : undefined,
    rotateRefreshToken: true,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: accessTtl,
      RefreshToken: refreshTtl,
      IdToken: accessTtl,
      Grant: refreshTtl,
      Session: refreshTtl,
      Interaction: 3600,
      AuthorizationCode: 60,
    },
    clientBasedCORS: () => false,
    renderError: async (ctx: { type: string; body: unknown }, out: unknown) => {
      ctx.type = 'json';
      ctx.body = out;
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: false },
      introspection: { enabled: false },
    },
  });

  const counters = { refreshes: 0, invalidGrant: 0, grantsRevoked: 0 };
  provider.on('grant.success', (ctx) => {
    if (ctx.oidc?.params?.grant_type === 'refresh_token') counters.refreshes += 1;
  });
  provider.on('grant.error', (_ctx, err) => {
    if (err.error === 'invalid_grant') counters.invalidGrant += 1;
  });
  provider.on('grant.revoked', () => {
    counters.grantsRevoked += 1;
  });
  provider.on('server_error', (_ctx, err) => {
    console.error('oidc-peer server_error', err);
  });

  if (serialize) {
    let queue: Promise<void> = Promise.resolve();
    provider.use(async (ctx: KoaContextWithOIDC, next) => {
      if (ctx.method !== 'POST' || ctx.path !== '/token') return next();
      const previous = queue;
      let release!: () => void;
      queue = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
      try {
        await next();
      } finally {
        release();
      }
    });
  }

  handler = provider.callback();

  let client: Awaited<ReturnType<typeof provider.Client.find>>;
  const getClient = async () => {
    client ??= await provider.Client.find(clientId);
    if (!client) throw new Error(`oidc-peer: client ${clientId} not found`);
    return client;
  };

  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    clientId,
    async mint(accountId) {
      const c = await getClient();
      accounts.add(accountId);
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(OIDC_PEER_SCOPE);
      const grantId = await grant.save();
      const init = { accountId, client: c, grantId, gty: 'authorization_code', scope: OIDC_PEER_SCOPE };
      const refresh = await new provider.RefreshToken(init).save();
      const at = new provider.AccessToken(init);
      const now = Math.floor(Date.now() / 1000); // oidc-provider stamps exp = epoch seconds + ttl
      const access = await at.save();
      return { access, refresh, expires: (now + at.expiration) * 1000 };
    },
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
