import { z } from 'zod';
import { integer } from './openai-invalid.js';

// Shapes from the OpenAI Responses API reference as the openai-node SDK (v6.49, generated from the
// OpenAPI spec) types them, and from what Codex CLI sends (codex-rs/codex-api/src/common.rs). Only the
// top level is closed: nested objects keep fields the emulator does not know, so a newer client is not
// refused for a field the real API has since learned.

const str = z.string();
const optionalStr = z.string().nullish();
const schemaObject = z.record(z.string(), z.unknown());

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  name: str,
  description: optionalStr,
  parameters: schemaObject.nullish(),
  strict: z.boolean().nullish(),
});

const CustomToolFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('grammar'), syntax: z.enum(['lark', 'regex']), definition: str }),
]);

/** A freeform tool (Codex's `apply_patch` with a Lark grammar). */
const CustomTool = z.looseObject({
  type: z.literal('custom'),
  name: str,
  description: optionalStr,
  format: CustomToolFormat.optional(),
});

/** A group of tools under one name (Codex CLI's `multi_agent_v1`). */
const NamespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: str,
  description: optionalStr,
  tools: z.array(
    z.discriminatedUnion('type', [
      z.looseObject({
        type: z.literal('function'),
        name: str,
        description: optionalStr,
        parameters: schemaObject.nullish(),
      }),
      CustomTool,
    ]),
  ),
});

const loose = <T extends string>(...types: [T, ...T[]]) =>
  z.looseObject({ type: types.length === 1 ? z.literal(types[0]) : z.enum(types) });

/** Every tool type of the Responses API; the discriminator error lists them as the real API does. */
export const ResponsesTool = z.discriminatedUnion('type', [
  FunctionTool,
  z.looseObject({ type: z.literal('file_search'), vector_store_ids: z.array(str) }),
  loose('computer'),
  z.looseObject({
    type: z.literal('computer_use_preview'),
    display_height: z.number(),
    display_width: z.number(),
    environment: z.enum(['windows', 'mac', 'linux', 'ubuntu', 'browser']),
  }),
  loose('web_search', 'web_search_2025_08_26'),
  z.looseObject({ type: z.literal('mcp'), server_label: str }),
  z.looseObject({ type: z.literal('code_interpreter'), container: z.union([str, z.looseObject({})]) }),
  loose('programmatic_tool_calling'),
  loose('image_generation'),
  loose('local_shell'),
  loose('shell'),
  CustomTool,
  NamespaceTool,
  loose('tool_search'),
  loose('web_search_preview', 'web_search_preview_2025_03_11'),
  loose('apply_patch'),
]);

const Content = z.union([str, z.array(z.looseObject({ type: str }))]);
const Output = z.union([str, z.array(z.looseObject({ type: str }))]);

/** Input items by type; an item without `type` is a message (`EasyInputMessage`). */
const InputItem = z.preprocess(
  (item) =>
    item && typeof item === 'object' && !Array.isArray(item) && !('type' in item) && 'role' in item
      ? { ...item, type: 'message' }
      : item,
  z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('message'),
      role: z.enum(['user', 'assistant', 'system', 'developer']),
      content: Content,
    }),
    z.looseObject({ type: z.literal('function_call'), call_id: str, name: str, arguments: str }),
    z.looseObject({ type: z.literal('function_call_output'), call_id: str, output: Output }),
    z.looseObject({ type: z.literal('custom_tool_call'), call_id: str, name: str, input: str }),
    z.looseObject({ type: z.literal('custom_tool_call_output'), call_id: str, output: Output }),
    z.looseObject({
      type: z.literal('reasoning'),
      summary: z.array(z.looseObject({ type: str })),
      encrypted_content: optionalStr,
    }),
    z.looseObject({ type: z.literal('item_reference'), id: str }),
    ...(
      [
        'file_search_call',
        'computer_call',
        'computer_call_output',
        'web_search_call',
        'tool_search_call',
        'tool_search_output',
        'additional_tools',
        'compaction',
        'image_generation_call',
        'code_interpreter_call',
        'local_shell_call',
        'local_shell_call_output',
        'shell_call',
        'shell_call_output',
        'apply_patch_call',
        'apply_patch_call_output',
        'mcp_list_tools',
        'mcp_approval_request',
        'mcp_approval_response',
        'mcp_call',
        'compaction_trigger',
        'program',
        'program_output',
      ] as const
    ).map((t) => loose(t)),
  ]),
);

export const INCLUDABLE = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

const Reasoning = z.strictObject({
  effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
  generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
  context: z.enum(['auto', 'current_turn', 'all_turns']).nullish(),
  mode: str.optional(),
});

const TextConfig = z.strictObject({
  verbosity: z.enum(['low', 'medium', 'high']).nullish(),
  format: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('text') }),
      z.looseObject({ type: z.literal('json_object') }),
      z.looseObject({ type: z.literal('json_schema'), name: str, schema: schemaObject }),
    ])
    .optional(),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: str, name: str.optional() }),
]);

const int = integer();

/** A `POST /v1/responses` body: every top-level parameter of the API, nothing else. */
export const ResponsesRequestSchema = z.strictObject({
  model: str,
  input: z.union([str, z.array(InputItem)]).optional(),
  instructions: optionalStr,
  tools: z.array(ResponsesTool).optional(),
  tool_choice: ToolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: Reasoning.nullish(),
  include: z.array(z.enum(INCLUDABLE)).nullish(),
  prompt_cache_key: optionalStr,
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  prompt_cache_options: z.looseObject({}).optional(),
  // Codex CLI sends it to both the Codex backend and api.openai.com (wire_api = "responses").
  client_metadata: z.record(z.string(), z.unknown()).nullish(),
  text: TextConfig.optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({}).nullish(),
  previous_response_id: optionalStr,
  max_output_tokens: int.nullish(),
  max_tool_calls: int.nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_logprobs: int.nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  user: str.optional(),
  safety_identifier: optionalStr,
  prompt: z.looseObject({}).nullish(),
  background: z.boolean().nullish(),
  conversation: z.union([str, z.looseObject({})]).nullish(),
  context_management: z.array(z.looseObject({})).nullish(),
  moderation: z.looseObject({}).nullish(),
});

export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

/**
 * Parameters the Codex backend (chatgpt.com/backend-api/codex) refuses by name with
 * `{"detail":"Unsupported parameter: <name>"}`, though api.openai.com takes them.
 */
export const CODEX_UNSUPPORTED = [
  'max_output_tokens',
  'temperature',
  'top_p',
  'top_logprobs',
  'truncation',
  'metadata',
  'presence_penalty',
  'frequency_penalty',
  'seed',
] as const;
