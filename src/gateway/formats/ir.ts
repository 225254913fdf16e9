/**
 * The gateway's neutral representation of one model call. Every client format (chat completions,
 * responses, messages) parses into it and is written from it; every upstream wire API is built
 * from it and parsed back into its events. A streaming call is a sequence of IrEvent ending in
 * `done` or `error`: once a stream has started, failures are events, never throws.
 */

/** The three API shapes clients speak to the gateway. */
export type ClientFormat = 'chat' | 'responses' | 'messages';

export interface IrTool {
  /** The name the upstream sees (a namespaced tool flattened to `namespace__name`). */
  name: string;
  description: string | null;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  /** A Responses client's tool that is not a plain function: its calls are answered in kind. */
  origin?: IrToolOrigin;
}

/** A namespaced function tool, or a freeform (`custom`) tool carried as a function of `{input}`. */
export interface IrToolOrigin {
  namespace: string | null;
  name: string;
  freeform: boolean;
}

export type IrToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type IrPart = { type: 'text'; text: string } | { type: 'image'; url: string };

export interface IrToolCall {
  id: string;
  name: string;
  /** The arguments as a JSON text, exactly as the model produced it. */
  arguments: string;
}

export type IrMessage =
  /** A system turn inside the conversation (a leading system prompt is `IrRequest.system`). */
  | { role: 'system'; text: string }
  | { role: 'user'; content: IrPart[] }
  | { role: 'assistant'; content: IrPart[]; toolCalls: IrToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string | null; content: string; isError: boolean };

export interface IrRequest {
  /** What the client asked for (`chain:NAME`, `provider/model`, a chain name); routing resolves it. */
  model: string;
  system: string | null;
  messages: IrMessage[];
  tools: IrTool[];
  toolChoice: IrToolChoice;
  maxTokens: number | null;
  temperature: number | null;
  topP: number | null;
  stop: string[];
  stream: boolean;
  /** Reasoning control: an effort level, a token budget, or both (null: the client set none). */
  reasoning: IrReasoning | null;
  /** Whether the model may call several tools in one turn (null: the client did not say). */
  parallelToolCalls: boolean | null;
  /** Prompt-cache intent: a key that keeps one conversation's cache together, and whether caching was asked for. */
  cache: { key: string | null; requested: boolean };
  /** Client fields (dotted paths) that have no neutral equivalent; reported to the client as dropped. */
  dropped: string[];
}

export type IrEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface IrReasoning {
  effort: IrEffort | null;
  budgetTokens: number | null;
}

export type IrStopReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface IrUsage {
  inputTokens: number;
  outputTokens: number;
}

export type IrEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; delta: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_args'; index: number; delta: string }
  | { type: 'done'; stopReason: IrStopReason; usage: IrUsage }
  | { type: 'error'; code: string; message: string };

/** A whole (non-streamed) answer, as collected from the events. */
export interface IrResponse {
  id: string;
  model: string;
  text: string;
  toolCalls: IrToolCall[];
  stopReason: IrStopReason;
  usage: IrUsage;
}
