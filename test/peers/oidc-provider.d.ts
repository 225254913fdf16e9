// Minimal ambient types for panva's `oidc-provider` (v9 ships none, and @types/oidc-provider is not
// installed). Only the surface used by test/peers/oidc-peer.ts is declared.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number;
    jti?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ProviderError extends Error {
    error: string;
    error_description?: string;
    status?: number;
  }

  export interface KoaContextWithOIDC {
    method: string;
    path: string;
    oidc?: { params?: Record<string, unknown> | undefined; route?: string } | undefined;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }

  export interface ClientInstance {
    clientId: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface TokenInstance {
    readonly expiration: number;
    save(): Promise<string>;
  }

  export interface Configuration {
    [key: string]: unknown;
    adapter?: (name: string) => Adapter;
    clients?: Record<string, unknown>[];
    cookies?: { keys: string[] };
    jwks?: { keys: Record<string, unknown>[] };
    findAccount?: (ctx: unknown, sub: string) => Promise<Account | undefined>;
    rotateRefreshToken?: boolean | ((ctx: unknown) => boolean | Promise<boolean>);
    issueRefreshToken?: (ctx: unknown, client: ClientInstance, code: unknown) => boolean | Promise<boolean>;
    ttl?: Record<string, number>;
    features?: Record<string, { enabled: boolean }>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: 'grant.success', listener: (ctx: KoaContextWithOIDC) => void): this;
    on(event: 'grant.error', listener: (ctx: KoaContextWithOIDC, err: ProviderError) => void): this;
    on(event: 'grant.revoked', listener: (ctx: KoaContextWithOIDC, grantId: string) => void): this;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, err: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;

    Client: { find(id: string): Promise<ClientInstance | undefined> };
    Grant: new (init: {
      accountId: string;
      clientId: string;
    }) => GrantInstance;
    AccessToken: new (init: {
      accountId: string;
      client: ClientInstance;
      grantId: string;
      gty: string;
      scope: string;
    }) => TokenInstance;
    RefreshToken: new (init: {
      accountId: string;
      client: ClientInstance;
      grantId: string;
      gty: string;
      scope: string;
    }) => TokenInstance;
  }
}
