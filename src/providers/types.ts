import type { ReauthReason, RotatedTokens } from '../store/types.js';

/** How a failed refresh is to be handled (refresh protocol steps 6 and 7). */
export type RefreshFailure =
  | { kind: 'permanent'; reason: ReauthReason; status: number; code: string | null }
  | { kind: 'transient'; status: number | null; code: string | null; retryAfterMs: number | null };

/** The resolved OAuth endpoints of one provider, after config and env overrides. */
export interface OAuthEndpoints {
  tokenUrl: string;
  authorizeUrl: string | null;
  deviceUrl: string | null;
  clientId: string;
}

/** A provider's OAuth side: where to refresh, how to encode, how to read the answer. */
export interface OAuthSpec {
  defaults: {
    tokenUrl: string | null;
    authorizeUrl: string | null;
    deviceUrl: string | null;
    clientId: string | null;
  };
  scope: string;
  redirectUri: string | null;
  bodyFormat: 'json' | 'form';
  /** Turns a successful token-endpoint JSON answer into stored tokens. */
  parseTokens(body: Record<string, unknown>, now: number): RotatedTokens;
}

/** The models a provider serves: real ids for model pickers, and which bare names route to it. */
export interface ModelCatalog {
  ids: readonly string[];
  serves(model: string): boolean;
}

/** One provider: its id, default model base URL, model catalog and OAuth descriptor (absent for key-only providers). */
export interface ProviderDescriptor {
  id: string;
  title: string;
  baseUrl: string | null;
  /** Null for providers whose models are not known in advance (an OpenAI-compatible server). */
  models: ModelCatalog | null;
  oauth: OAuthSpec | null;
}
