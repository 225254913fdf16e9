import type { Credential } from '../broker/broker.js';
import type { ClientFormat, IrEvent, IrRequest } from './formats/ir.js';
import type { SseMessage } from './wire/sse.js';

/** How the gateway talks to one provider's model API. */
export interface ModelAdapter {
  provider: string;
  /** The API shape the upstream speaks; a client speaking the same shape is passed through untranslated. */
  wire: ClientFormat;
  /** Whether a same-shape client body may be forwarded as-is (model name swapped) with this credential. */
  canPassThrough(cred: Credential): boolean;
  /** Appended to the provider's base URL. */
  path: string;
  headers(cred: Credential): Record<string, string>;
  /** The upstream request body (always streaming) for a translated call. */
  body(ir: IrRequest, model: string, cred: Credential): unknown;
  parse(sse: AsyncIterable<SseMessage>): AsyncIterable<IrEvent>;
}
