import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthCodes } from './auth-codes.js';
import { DeviceCodes } from './device-codes.js';
import { Faults, type FaultTarget } from './faults.js';
import type { Body } from './http-util.js';
import { createJwtSigner, type JwtSigner } from './jwt.js';
import { Ledger } from './ledger.js';
import { Quotas } from './quotas.js';
import { RequestRecorder } from './recorder.js';
import type { ReusePolicy } from './reuse-policy.js';
import { ContentSealer } from './sealed-content.js';
import { StoredResponses } from './stored-responses.js';
import type { ProviderId } from './tokens.js';

/** Everything one running emulator knows; routes read and change it. */
export interface EmulatorState {
  readonly ledger: Ledger;
  readonly codes: AuthCodes;
  readonly devices: DeviceCodes;
  readonly faults: Faults;
  readonly signer: JwtSigner;
  /** The last model-endpoint requests (`GET /_emulator/requests`). */
  readonly recorder: RequestRecorder;
  /** Responses created with `store` on the `openai` API, for `previous_response_id`. */
  readonly stored: StoredResponses;
  /** Per-account usage behind the quota headers. */
  readonly quotas: Quotas;
  /** Issues and verifies reasoning items' `encrypted_content`. */
  readonly sealer: ContentSealer;
  readonly config: { accessTtlSeconds: number };
  readonly counters: {
    tokenRequests: number;
    modelCalls: Map<ProviderId, number>;
    /** OAuth access tokens a model endpoint refused, by why: an agent was handed a dead token. */
    accessRejected: Record<AccessRejection, number>;
  };
  now(): number;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `http://host:port` as the client addressed us; used to build verification URIs. */
  origin: string;
  state: EmulatorState;
  /** The parsed request body, read once (the recorder and the route share it). */
  body(): Promise<Body>;
}

/** One endpoint. `fault` opts it into fault injection and the token-request counter; `record` into the request log. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  fault?: { target: FaultTarget; provider: ProviderId };
  /** Keep the request in the recorder (model endpoints). */
  record?: boolean;
  handle(ctx: RequestContext): Promise<void> | void;
}

export async function createState(reuse: ReusePolicy, accessTtlSeconds: number): Promise<EmulatorState> {
  return {
    ledger: new Ledger(reuse),
    codes: new AuthCodes(),
    devices: new DeviceCodes(),
    faults: new Faults(),
    signer: await createJwtSigner(),
    recorder: new RequestRecorder(),
    stored: new StoredResponses(),
    quotas: new Quotas(),
    sealer: new ContentSealer(),
    config: { accessTtlSeconds },
    counters: {
      tokenRequests: 0,
      modelCalls: new Map(),
      accessRejected: { expired: 0, revoked: 0, invalid: 0 },
    },
    now: () => Date.now(),
  };
}

export function countModelCall(state: EmulatorState, provider: ProviderId): void {
  state.counters.modelCalls.set(provider, (state.counters.modelCalls.get(provider) ?? 0) + 1);
}

/** Why a model endpoint refused an OAuth access token. */
export type AccessRejection = 'expired' | 'revoked' | 'invalid';

export function countAccessRejection(state: EmulatorState, why: AccessRejection): void {
  state.counters.accessRejected[why] += 1;
}
