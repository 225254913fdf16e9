import { parseToolArguments } from './content.js';
import { idFor, newId } from './ids.js';
import type { IrResponse, IrStopReason, IrTool, IrToolCall, IrToolOrigin, IrUsage } from './ir.js';

type Json = Record<string, unknown>;

/** The Responses usage object. */
export function responsesUsage(usage: IrUsage): Json {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(id: string, text: string | null, status: 'in_progress' | 'completed'): Json {
  return { id, type: 'message', status, role: 'assistant', content: text === null ? [] : [outputText(text)] };
}

/** A tool call as a Responses output item: a function call, or what its tool's origin makes it. */
export function functionCallItem(
  id: string,
  call: IrToolCall,
  status: 'in_progress' | 'completed',
  origins: ToolOrigins = NO_ORIGINS,
): Json {
  const origin = origins.get(call.name);
  if (origin?.freeform) {
    const input = parseToolArguments(call.arguments).input;
    return {
      id,
      type: 'custom_tool_call',
      status,
      call_id: call.id,
      name: origin.name,
      input: typeof input === 'string' ? input : call.arguments,
      ...(origin.namespace ? { namespace: origin.namespace } : {}),
    };
  }
  if (origin?.namespace) {
    return {
      id,
      type: 'function_call',
      status,
      call_id: call.id,
      name: origin.name,
      namespace: origin.namespace,
      arguments: call.arguments,
    };
  }
  return { id, type: 'function_call', status, call_id: call.id, name: call.name, arguments: call.arguments };
}

/** Tool origins by the name the upstream saw. */
export type ToolOrigins = ReadonlyMap<string, IrToolOrigin>;

const NO_ORIGINS: ToolOrigins = new Map();

export function toolOrigins(tools: readonly IrTool[] | undefined): ToolOrigins {
  const map = new Map<string, IrToolOrigin>();
  for (const t of tools ?? []) if (t.origin) map.set(t.name, t.origin);
  return map;
}

export interface ResponseShell {
  id: string;
  model: string;
  createdAt: number;
}

/** A Response object in any state; `stopReason` decides between `completed` and `incomplete`. */
export function responseObject(
  shell: ResponseShell,
  output: Json[],
  end: { stopReason: IrStopReason; usage: IrUsage } | { status: 'in_progress' } | { error: Json },
): Json {
  let status = 'in_progress';
  let incomplete: Json | null = null;
  if ('stopReason' in end) {
    const reason = INCOMPLETE_REASONS[end.stopReason];
    status = reason === undefined ? 'completed' : 'incomplete';
    if (reason !== undefined) incomplete = { reason };
  } else if ('error' in end) {
    status = 'failed';
  }
  return {
    id: shell.id,
    object: 'response',
    created_at: shell.createdAt,
    status,
    error: 'error' in end ? end.error : null,
    incomplete_details: incomplete,
    instructions: null,
    model: shell.model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: 'usage' in end ? responsesUsage(end.usage) : null,
  };
}

const INCOMPLETE_REASONS: Partial<Record<IrStopReason, string>> = {
  length: 'max_output_tokens',
  content_filter: 'content_filter',
};

/** A whole answer as an OpenAI Responses `response` object. */
export function formatResponsesResponse(r: IrResponse, tools?: readonly IrTool[]): Json {
  const origins = toolOrigins(tools);
  const output: Json[] = [];
  if (r.text !== '') output.push(messageItem(newId('msg'), r.text, 'completed'));
  for (const call of r.toolCalls) output.push(functionCallItem(newId('fc'), call, 'completed', origins));
  const shell = { id: idFor(r.id, 'resp'), model: r.model, createdAt: Math.floor(Date.now() / 1000) };
  return responseObject(shell, output, { stopReason: r.stopReason, usage: r.usage });
}
