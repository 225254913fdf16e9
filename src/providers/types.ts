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
  /**
   * Present when the provider's logins (its OAuth and setup tokens, never its API keys) are consumer
   * subscriptions whose terms keep them to the vendor's own apps: the client kinds they serve.
   */
  subscription?: SubscriptionRule;
}

/** Who a subscription login serves by default (the gateway's serving policy; docs/gateway.md). */
export interface SubscriptionRule {
  /** Client kinds (`clients add --kind`, set by `connect`) the login serves without an opt-in. */
  clientKinds: readonly string[];
  /** What the login is, as users call it: "Claude subscription". */
  title: string;
  /** The reason, in a sentence a refusal quotes. */
  terms: string;
}
