import { z } from 'zod';
import { describeAnthropicIssue as describe, orList } from './anthropic-invalid.js';

// What api.anthropic.com's Messages endpoint accepts, from the @anthropic-ai/sdk 1.13 request types
// (MessageCreateParams, GA and beta) and from the 400s the API answers, which name the field the way
// its validator does: `messages.1.role: Input should be 'user' or 'assistant'`.

/** Fields of `POST /v1/messages` without a beta. `temperature`/`top_k`/`top_p` are deprecated but still taken. */
const GA_FIELDS = [
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_k',
  'top_p',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'cache_control',
  'diagnostics',
  'inference_geo',
  'output_config',
  'speed',
  'user_profile_id',
  'workspace_id',
] as const;

/**
 * Fields only the beta Messages API takes, with the `anthropic-beta` prefix that unlocks each;
 * `''` means any beta header (the SDK marks them beta without naming one).
 */
const BETA_FIELDS: Record<string, string> = {
  context_management: 'context-management-',
  mcp_servers: 'mcp-client-',
  output_format: 'structured-outputs-',
  compaction: '',
  fallbacks: '',
  fallback_credit_token: '',
  thread: '',
  billing_policy: '',
};

/**
 * `count_tokens` takes the prompt, never generation settings such as `max_tokens` or `stream`
 * (the SDK's MessageCountTokensParams, GA and beta).
 */
const COUNT_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'cache_control',
  'output_config',
  'speed',
  'user_profile_id',
  'workspace_id',
  'context_management',
  'mcp_servers',
  'output_format',
  'compaction',
  'billing_policy',
]);

/** The beta for `role: "system"` turns inside `messages` (Claude Code 2.1.168–2.1.261 send `…-2026-04-07`). */
export const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-';
/**
 * Betas under which Claude Code sends `role: "system"` turns: 2.1.332 sends them with
 * `mid-conversation-tool-changes-2026-07-01` (and `per-turn-control-…`) and no `mid-conversation-system-…`.
 */
const SYSTEM_TURN_BETAS = [
  MID_CONVERSATION_SYSTEM_BETA,
  'mid-conversation-tool-changes-',
  'per-turn-control-',
];
/** Unlocks `output_config` on a mid-conversation system turn. */
const PER_TURN_CONTROL_BETA = 'per-turn-control-';
/** With interleaved thinking the budget spans the whole turn and may exceed `max_tokens`. */
const INTERLEAVED_THINKING_BETA = 'interleaved-thinking-';
const MAX_CACHE_BREAKPOINTS = 4;
const MIN_THINKING_BUDGET = 1024;

export type Betas = readonly string[];

export const hasBeta = (betas: Betas, prefix: string) => betas.some((b) => b.startsWith(prefix));

/** The values of every `anthropic-beta` header, split on commas. */
export function parseBetas(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

// Loose: Claude Code adds `scope` under the prompt-caching-scope beta.
const CacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
const Block = z.looseObject({ type: z.string(), cache_control: CacheControl.nullish() });
const Content = z.union([z.string(), z.array(Block)]);

const CustomTool = z.looseObject({
  type: z.literal('custom').optional(),
  name: z.string().min(1).max(128),
  input_schema: z.looseObject({}),
  description: z.string().optional(),
  cache_control: CacheControl.nullish(),
});
/** Anthropic-defined tools are versioned (`web_search_20250305`, `bash_20250124`, `text_editor_20250728`…). */
const VERSIONED_TOOL = /^[a-z][a-z0-9_]*_\d{8}$/;
const TypedTool = z.looseObject({
  type: z.string(),
  name: z.string(),
  cache_control: CacheControl.nullish(),
});
const McpToolset = z.looseObject({ type: z.literal('mcp_toolset'), mcp_server_name: z.string() });

const ToolChoice = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('none') }),
]);

// `updates` comes with the thinking-display-updates beta (Claude Code 2.1.332 in stream-json mode).
const Display = z.enum(['summarized', 'omitted', 'updates']).nullish();
const THINKING_DISPLAY_UPDATES_BETA = 'thinking-display-updates-';
const Thinking = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('enabled'),
    budget_tokens: z.number().int().min(MIN_THINKING_BUDGET),
    display: Display,
  }),
  z.strictObject({ type: z.literal('disabled') }),
  z.strictObject({ type: z.literal('adaptive'), display: Display }),
  z.strictObject({ type: z.literal('between_tools') }),
]);

const Common = {
  model: z.string().min(1),
  system: z
    .union([z.string(), z.array(Block.extend({ type: z.literal('text'), text: z.string() }))])
    .optional(),
  tool_choice: ToolChoice.optional(),
  thinking: Thinking.optional(),
  output_config: z.looseObject({}).optional(),
  context_management: z.looseObject({}).nullish(),
  mcp_servers: z.array(z.looseObject({ type: z.string(), url: z.string(), name: z.string() })).optional(),
  cache_control: CacheControl.nullish(),
};

const MessagesShape = z.looseObject({
  ...Common,
  max_tokens: z.number().int().min(1),
  messages: z.array(z.unknown()).min(1),
  metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  speed: z.enum(['standard', 'fast']).nullish(),
});

const CountShape = z.looseObject({ ...Common, messages: z.array(z.unknown()).min(1) });

export interface MessageParam {
  role: 'user' | 'assistant' | 'system';
  content: string | Array<Record<string, unknown> & { type: string }>;
}
export interface ToolParam {
  type?: string;
  name: string;
}

/** A validated Messages (or count_tokens) request, as far as the emulator reads it. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: unknown;
  tools?: ToolParam[];
  tool_choice?: { type: string; name?: string };
  thinking?: { type: string; budget_tokens?: number; display?: string | null };
  stream?: boolean;
}

export type Checked<T> = { ok: true; data: T } | { ok: false; message: string };

/** Validates a `POST /v1/messages` body against the API's rules for the given betas. */
export function checkMessages(body: Record<string, unknown>, betas: Betas): Checked<MessagesRequest> {
  return check(body, betas, 'messages');
}

/** Validates a `POST /v1/messages/count_tokens` body (no `max_tokens`, no generation settings). */
export function checkCountTokens(body: Record<string, unknown>, betas: Betas): Checked<MessagesRequest> {
  return check(body, betas, 'count');
}

function check(
  body: Record<string, unknown>,
  betas: Betas,
  kind: 'messages' | 'count',
): Checked<MessagesRequest> {
  for (const key of Object.keys(body)) {
    if (!allowedField(key, betas, kind)) return fail(`${key}: Extra inputs are not permitted`);
  }
  const shape = kind === 'messages' ? MessagesShape : CountShape;
  const parsed = shape.safeParse(body, { reportInput: true });
  if (!parsed.success) return fail(describe(tagged(parsed.error.issues[0], body)));
  const messages = checkTurns(body.messages as unknown[], betas);
  if (typeof messages === 'string') return fail(messages);
  const tools = checkTools(body.tools);
  if (typeof tools === 'string') return fail(tools);
  const breakpoints = countCacheControl(body);
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    return fail(
      `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  }
  const thinking = parsed.data.thinking;
  if (thinking && 'display' in thinking && thinking.display === 'updates') {
    if (!hasBeta(betas, THINKING_DISPLAY_UPDATES_BETA)) {
      return fail(`thinking.${thinking.type}.display: Input should be 'summarized' or 'omitted'`);
    }
  }
  const data = parsed.data as Record<string, unknown>;
  const maxTokens = typeof data.max_tokens === 'number' ? data.max_tokens : 0;
  if (
    kind === 'messages' &&
    thinking?.type === 'enabled' &&
    thinking.budget_tokens >= maxTokens &&
    !hasBeta(betas, INTERLEAVED_THINKING_BETA)
  ) {
    return fail(
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    );
  }
  return {
    ok: true,
    data: { ...(data as unknown as MessagesRequest), max_tokens: maxTokens, messages, tools },
  };
}

/** Issues inside a tagged union (`thinking`, `tool_choice`) name the tag, as the API's validator does. */
function tagged(
  issue: z.core.$ZodIssue | undefined,
  body: Record<string, unknown>,
): z.core.$ZodIssue | undefined {
  const [field, ...rest] = issue?.path ?? [];
  if (!issue || issue.code === 'invalid_union' || rest.length === 0) return issue;
  if (field !== 'thinking' && field !== 'tool_choice') return issue;
  const tag = (body[field] as { type?: unknown } | undefined)?.type;
  return typeof tag === 'string' ? { ...issue, path: [field, tag, ...rest] } : issue;
}

function allowedField(key: string, betas: Betas, kind: 'messages' | 'count'): boolean {
  if (kind === 'count' && !COUNT_FIELDS.has(key)) return false;
  if ((GA_FIELDS as readonly string[]).includes(key)) return true;
  const beta = BETA_FIELDS[key];
  if (beta === undefined) return false;
  return beta === '' ? betas.length > 0 : hasBeta(betas, beta);
}

/**
 * Roles, the fields of a turn, and where a system turn may stand: only with the mid-conversation
 * (or per-turn-control) beta, never first, and only after a user turn (so never between a `tool_use` and its `tool_result`).
 */
function checkTurns(turns: unknown[], betas: Betas): MessageParam[] | string {
  const systemAllowed = SYSTEM_TURN_BETAS.some((b) => hasBeta(betas, b));
  const out: MessageParam[] = [];
  for (const [i, turn] of turns.entries()) {
    const at = `messages.${i}`;
    if (!turn || typeof turn !== 'object' || Array.isArray(turn))
      return `${at}: Input should be a valid dictionary`;
    const t = turn as Record<string, unknown>;
    const roles = systemAllowed ? ['user', 'assistant', 'system'] : ['user', 'assistant'];
    if (t.role === undefined) return `${at}.role: Field required`;
    if (!roles.includes(String(t.role))) return `${at}.role: Input should be ${orList(roles)}`;
    for (const key of Object.keys(t)) {
      const extra =
        key !== 'role' &&
        key !== 'content' &&
        !(key === 'output_config' && t.role === 'system' && hasBeta(betas, PER_TURN_CONTROL_BETA));
      if (extra) return `${at}.${key}: Extra inputs are not permitted`;
    }
    const content = Content.safeParse(t.content, { reportInput: true });
    if (!content.success) {
      const issue = content.error.issues[0];
      return describe(issue ? { ...issue, path: ['messages', i, 'content', ...issue.path] } : issue);
    }
    if (t.role === 'system') {
      const before = out.findLast((m) => m.role !== 'system');
      if (i === 0 || before?.role !== 'user') {
        return `${at}: a system message must follow a user turn (it cannot be first or stand between a tool_use and its tool_result)`;
      }
    }
    out.push(t as unknown as MessageParam);
  }
  return out;
}

function checkTools(tools: unknown): ToolParam[] | undefined | string {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  for (const [i, tool] of tools.entries()) {
    const type = tool && typeof tool === 'object' ? (tool as { type?: unknown }).type : undefined;
    const schema =
      type === undefined || type === 'custom'
        ? CustomTool
        : type === 'mcp_toolset'
          ? McpToolset
          : typeof type === 'string' && VERSIONED_TOOL.test(type)
            ? TypedTool
            : null;
    if (schema === null) {
      return `tools.${i}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'custom', an Anthropic-defined tool type (name_YYYYMMDD) or 'mcp_toolset'`;
    }
    const parsed = schema.safeParse(tool, { reportInput: true });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const tag = type === undefined || type === 'custom' ? ['custom'] : [String(type)];
      return describe(issue ? { ...issue, path: ['tools', i, ...tag, ...issue.path] } : issue);
    }
  }
  return tools as ToolParam[];
}

/** cache_control breakpoints on tools, system blocks and message content blocks. */
function countCacheControl(body: Record<string, unknown>): number {
  const marked = (items: unknown) =>
    Array.isArray(items)
      ? items.filter((b) => b && typeof b === 'object' && 'cache_control' in b && b.cache_control).length
      : 0;
  let n = marked(body.tools) + marked(body.system);
  for (const turn of Array.isArray(body.messages) ? body.messages : []) {
    n += marked((turn as { content?: unknown } | null)?.content);
  }
  return n;
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
