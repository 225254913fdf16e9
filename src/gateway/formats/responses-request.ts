import { z } from 'zod';
import { IMAGE_OMITTED, joinSystem } from './content.js';
import type { IrMessage, IrPart, IrRequest, IrToolChoice } from './ir.js';
import { invalidField, parseBody } from './validate.js';

const InputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const OutputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const InputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string() });
const Refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const ContentPart = z.discriminatedUnion('type', [InputText, OutputText, InputImage, Refusal]);

const MessageItem = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(ContentPart)]),
});
const FunctionCall = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
const FunctionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage]))]),
});
// Reasoning items come back from clients that replay a whole transcript; the gateway cannot forward them.
const Reasoning = z.looseObject({ type: z.literal('reasoning') });

/** Items written `{role, content}` without a type are messages (the API's "easy input message"). */
const Item = z.preprocess(
  (v) =>
    v !== null && typeof v === 'object' && !('type' in v) && 'role' in v ? { ...v, type: 'message' } : v,
  z.discriminatedUnion('type', [MessageItem, FunctionCall, FunctionCallOutput, Reasoning]),
);

const Tool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

const ToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string() }),
]);

const ResponsesRequest = z.looseObject({
  model: z.string().min(1),
  instructions: z.string().nullish(),
  input: z.union([z.string(), z.array(Item)]),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
});

type ResponsesItem = z.infer<
  typeof MessageItem | typeof FunctionCall | typeof FunctionCallOutput | typeof Reasoning
>;

/** Parses an OpenAI Responses API request body; throws `ClawkeepError('usage')` naming the bad field. */
export function parseResponsesRequest(body: unknown): IrRequest {
  const req = parseBody(ResponsesRequest, body);
  if (req.previous_response_id) {
    invalidField(
      ['previous_response_id'],
      'not supported: the gateway stores no responses; send the whole conversation in input',
    );
  }
  const system: string[] = req.instructions ? [req.instructions] : [];
  const items: ResponsesItem[] =
    typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : req.input;
  const messages = messagesOf(items, system);
  return {
    model: req.model,
    system: joinSystem(system),
    messages,
    tools: (req.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? { type: 'object', properties: {} },
    })),
    toolChoice: toolChoiceOf(req.tool_choice),
    maxTokens: req.max_output_tokens ?? null,
    temperature: req.temperature ?? null,
    topP: req.top_p ?? null,
    stop: [],
    stream: req.stream === true,
  };
}

/** Input items as neutral messages; function calls join the assistant message they follow. */
function messagesOf(items: readonly ResponsesItem[], system: string[]): IrMessage[] {
  const messages: IrMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const item of items) {
    switch (item.type) {
      case 'message': {
        if (item.role === 'system' || item.role === 'developer') system.push(textOf(item.content));
        else if (item.role === 'user') messages.push({ role: 'user', content: partsOf(item.content) });
        else messages.push({ role: 'assistant', content: assistantParts(item.content), toolCalls: [] });
        break;
      }
      case 'function_call': {
        toolNames.set(item.call_id, item.name);
        const call = { id: item.call_id, name: item.name, arguments: item.arguments };
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.toolCalls.push(call);
        else messages.push({ role: 'assistant', content: [], toolCalls: [call] });
        break;
      }
      case 'function_call_output':
        messages.push({
          role: 'tool',
          toolCallId: item.call_id,
          name: toolNames.get(item.call_id) ?? null,
          content: textOf(item.output),
          isError: false,
        });
        break;
      case 'reasoning':
        break;
    }
  }
  return messages;
}

type Part = z.infer<typeof ContentPart>;

function partsOf(content: string | Part[]): IrPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p) => (p.type === 'input_image' ? { type: 'image', url: p.image_url } : textPart(p)));
}

function assistantParts(content: string | Part[]): IrPart[] {
  const text = textOf(content);
  return text === '' ? [] : [{ type: 'text', text }];
}

function textPart(p: Exclude<Part, { type: 'input_image' }>): IrPart {
  return { type: 'text', text: plainText(p) };
}

/** System prompts and tool outputs are text only: an image there becomes a marker. */
function textOf(content: string | Part[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'input_image' ? IMAGE_OMITTED : plainText(p))).join('');
}

function plainText(p: Exclude<Part, { type: 'input_image' }>): string {
  return p.type === 'refusal' ? p.refusal : p.text;
}

function toolChoiceOf(choice: z.infer<typeof ToolChoice> | null | undefined): IrToolChoice {
  if (choice == null) return 'auto';
  return typeof choice === 'string' ? choice : { name: choice.name };
}
