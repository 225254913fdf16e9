import type { Credential } from '../broker/broker.js';
import type { ClientFormat, IrEvent, IrRequest } from './formats/ir.js';
import type { Adjustment } from './passthrough.js';
import type { SseMessage } from './wire/sse.js';

/** A client format an upstream speaks as it is: the request is forwarded as the client wrote it. */
export interface NativeRoute {
  /** Appended to the provider's base URL. */
  path: string;
  /** The upstream's demands on a client body (one table, each with its reason). */
  adjustments: readonly Adjustment[];
  /** The upstream answers only as a stream: a non-streaming client gets the stream collected. */
  alwaysStreams: boolean;
}

/** The upstream API a request of any other client format is translated to. */
export interface TranslatedRoute {
  format: ClientFormat;
  path: string;
  /** The upstream request body (always streaming); fields it cannot carry go to `drop`. */
  body(ir: IrRequest, model: string, drop: (field: string) => void): unknown;
  parse(sse: AsyncIterable<SseMessage>): AsyncIterable<IrEvent>;
  /** The headers of a translated call, before the credential's (never another client's identity). */
  headers(ir: IrRequest): Record<string, string>;
}

/** How the gateway talks to one provider's model API. */
export interface ModelAdapter {
  provider: string;
  native: Partial<Record<ClientFormat, NativeRoute>>;
  translated: TranslatedRoute;
  /**
   * The credential's headers, laid over the request's headers (the client's own on a pass-through,
   * the translated route's otherwise), which they may extend (a beta the credential needs).
   */
  credentialHeaders(cred: Credential, base: Readonly<Record<string, string>>): Record<string, string>;
}
