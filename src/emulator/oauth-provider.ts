import type { ErrorReply } from './envelopes.js';
import type { Family } from './ledger.js';
import type { EmulatorState } from './state.js';
import type { OAuthProviderId } from './tokens.js';

/** Tokens handed to a client, with the provider's exact token-response body. */
export interface Issued {
  access: string;
  refresh: string;
  /** Access-token expiry, epoch ms. */
  expiresAt: number;
  body: Record<string, unknown>;
}

/** What differs between the emulated OAuth servers; `oauthRoutes` builds the shared endpoints from it. */
export interface OAuthProvider {
  id: OAuthProviderId;
  clientId: string;
  paths: { authorize: string; token: string };
  /**
   * Where the server lives under the emulator (`/openai-codex`): device-login paths hang off it as
   * they hang off the real issuer. Null for a provider without a device login (Anthropic has none).
   */
  deviceIssuerPath: string | null;
  allowsRedirect(uri: URL): boolean;
  /** Anthropic clients may paste `code#state` as the code. */
  splitsCodeState: boolean;
  /** Mints an access token for `family` and answers with `refresh` as the refresh token. */
  issue(state: EmulatorState, family: Family, refresh: string): Promise<Issued>;
  /** The answer to a spent refresh token (`reused`) or to the live token of a revoked family (`invalidated`). */
  refreshRejected(kind: 'reused' | 'invalidated'): ErrorReply;
}

/** Loopback redirect URIs, as native apps register them (RFC 8252 §7.3). */
export function isLoopbackRedirect(uri: URL): boolean {
  return uri.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(uri.hostname);
}
