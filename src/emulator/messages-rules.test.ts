import { describe, expect, it } from 'vitest';
import { CLAUDE_CODE_BETAS, CLAUDE_CODE_REQUEST, ephemeral } from '../../test/helpers/client-requests.js';
import { checkCountTokens, checkMessages } from './messages-rules.js';

type Json = Record<string, unknown>;

const base = { model: 'claude-sonnet-4-5', max_tokens: 2048, messages: [{ role: 'user', content: 'hi' }] };

describe('Messages request rules', () => {
  it("accepts what Claude Code sends, with Claude Code's betas", () => {
    expect(checkMessages(CLAUDE_CODE_REQUEST, CLAUDE_CODE_BETAS)).toMatchObject({ ok: true });
  });

  it.each<[string, Json, string[]]>([
    ['thinking enabled under max_tokens', { thinking: { type: 'enabled', budget_tokens: 1024 } }, []],
    ['thinking disabled', { thinking: { type: 'disabled' } }, []],
    ['adaptive thinking, summarized', { thinking: { type: 'adaptive', display: 'summarized' } }, []],
    [
      'a budget above max_tokens with interleaved thinking',
      { thinking: { type: 'enabled', budget_tokens: 4096 } },
      ['interleaved-thinking-2025-05-14'],
    ],
    [
      'thinking display updates with its beta',
      { thinking: { type: 'adaptive', display: 'updates' } },
      ['thinking-display-updates-2026-08-18'],
    ],
    ['sampling', { temperature: 0.5, top_k: 40, top_p: 0.9, stop_sequences: ['END'] }, []],
    ['service tier and metadata', { service_tier: 'standard_only', metadata: { user_id: 'u' } }, []],
    ['a forced tool', { tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true } }, []],
    [
      'typed client tools',
      {
        tools: [
          { type: 'bash_20250124', name: 'bash' },
          { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
        ],
      },
      [],
    ],
    [
      'mcp_servers with the MCP beta',
      { mcp_servers: [{ type: 'url', url: 'https://mcp.example', name: 'docs' }] },
      ['mcp-client-2025-11-20'],
    ],
    [
      'output_config on a system turn with per-turn control',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'be brief', output_config: { effort: 'low' } },
        ],
      },
      ['mid-conversation-system-2026-04-07', 'per-turn-control-2026-07-01'],
    ],
    [
      'a system turn with the mid-conversation beta',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'be brief' },
        ],
      },
      ['mid-conversation-system-2026-04-07'],
    ],
    [
      'a system turn with only per-turn control (Claude Code 2.1.332)',
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'be brief' },
        ],
      },
      ['per-turn-control-2026-07-01'],
    ],
    [
      'four cache breakpoints',
      {
        system: [{ type: 'text', text: 's', cache_control: ephemeral }],
        messages: [
          {
            role: 'user',
            content: [1, 2, 3].map((i) => ({ type: 'text', text: `${i}`, cache_control: ephemeral })),
          },
        ],
      },
      [],
    ],
  ])('accepts %s', (_name, extra, betas) => {
    expect(checkMessages({ ...base, ...extra }, betas)).toMatchObject({ ok: true });
  });

  it.each<[string, Json, string[], string]>([
    ['an unknown top-level field', { foo: 1 }, [], 'foo: Extra inputs are not permitted'],
    ['a Responses field', { input: 'x' }, [], 'input: Extra inputs are not permitted'],
    [
      'context_management without its beta',
      { context_management: {} },
      [],
      'context_management: Extra inputs are not permitted',
    ],
    [
      'mcp_servers without its beta',
      { mcp_servers: [] },
      ['oauth-2025-04-20'],
      'mcp_servers: Extra inputs are not permitted',
    ],
    ['a missing max_tokens', { max_tokens: undefined }, [], 'max_tokens: Field required'],
    ['max_tokens zero', { max_tokens: 0 }, [], 'max_tokens: Input should be greater than or equal to 1'],
    ['a missing model', { model: undefined }, [], 'model: Field required'],
    ['no messages', { messages: [] }, [], 'messages: List should have at least 1 item'],
    [
      'a system turn without the beta',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 'b' },
        ],
      },
      ['oauth-2025-04-20'],
      "messages.1.role: Input should be 'user' or 'assistant'",
    ],
    [
      'a system turn first',
      {
        messages: [
          { role: 'system', content: 'b' },
          { role: 'user', content: 'a' },
        ],
      },
      ['mid-conversation-system-2026-04-07'],
      'messages.0: a system message must follow a user turn (it cannot be first or stand between a tool_use and its tool_result)',
    ],
    [
      'a system turn between tool_use and tool_result',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
          { role: 'system', content: 'b' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'r' }] },
        ],
      },
      ['mid-conversation-system-2026-04-07'],
      'messages.2: a system message must follow a user turn (it cannot be first or stand between a tool_use and its tool_result)',
    ],
    [
      'a tool role',
      { messages: [{ role: 'tool', content: 'a' }] },
      [],
      "messages.0.role: Input should be 'user' or 'assistant'",
    ],
    [
      'output_config on a turn without per-turn control',
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 'b', output_config: {} },
        ],
      },
      ['mid-conversation-system-2026-04-07'],
      'messages.1.output_config: Extra inputs are not permitted',
    ],
    [
      'a thinking budget under 1024',
      { thinking: { type: 'enabled', budget_tokens: 512 } },
      [],
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    ],
    [
      'a thinking budget not below max_tokens',
      { thinking: { type: 'enabled', budget_tokens: 2048 } },
      [],
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    ],
    [
      'an unknown thinking type',
      { thinking: { type: 'deep' } },
      [],
      "thinking: Input tag 'deep' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive', 'between_tools'",
    ],
    [
      'a custom tool without input_schema',
      { tools: [{ name: 'f' }] },
      [],
      'tools.0.custom.input_schema: Field required',
    ],
    [
      'an untyped-version tool type',
      { tools: [{ type: 'web_search', name: 'web_search' }] },
      [],
      "tools.0: Input tag 'web_search' found using 'type' does not match any of the expected tags: 'custom', an Anthropic-defined tool type (name_YYYYMMDD) or 'mcp_toolset'",
    ],
    [
      'a typed tool without name',
      { tools: [{ type: 'bash_20250124' }] },
      [],
      'tools.0.bash_20250124.name: Field required',
    ],
    [
      'a wrong cache_control type',
      { system: [{ type: 'text', text: 's', cache_control: { type: 'persistent' } }] },
      [],
      "system.0.cache_control.type: Input should be 'ephemeral'",
    ],
    [
      'five cache breakpoints',
      {
        system: [{ type: 'text', text: 's', cache_control: ephemeral }],
        messages: [
          {
            role: 'user',
            content: [1, 2, 3, 4].map((i) => ({ type: 'text', text: `${i}`, cache_control: ephemeral })),
          },
        ],
      },
      [],
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    ],
    [
      'thinking display updates without its beta',
      { thinking: { type: 'adaptive', display: 'updates' } },
      [],
      "thinking.adaptive.display: Input should be 'summarized' or 'omitted'",
    ],
    [
      'an unknown thinking display',
      { thinking: { type: 'adaptive', display: 'full' } },
      [],
      "thinking.adaptive.display: Input should be 'summarized', 'omitted' or 'updates'",
    ],
    [
      'an unknown metadata field',
      { metadata: { session: 'x' } },
      [],
      'metadata.session: Extra inputs are not permitted',
    ],
    [
      'a tool_choice tool without name',
      { tool_choice: { type: 'tool' } },
      [],
      'tool_choice.tool.name: Field required',
    ],
    ['temperature above 1', { temperature: 1.5 }, [], 'temperature: Input should be less than or equal to 1'],
  ])('rejects %s', (_name, extra, betas, message) => {
    expect(checkMessages({ ...base, ...extra }, betas)).toEqual({ ok: false, message });
  });
});

describe('count_tokens request rules', () => {
  it('needs no max_tokens and takes tools, system and thinking', () => {
    const { max_tokens: _drop, stream: _s, metadata: _m, ...prompt } = CLAUDE_CODE_REQUEST;
    expect(checkCountTokens(prompt, CLAUDE_CODE_BETAS)).toMatchObject({ ok: true });
  });

  it.each<[string, Json, string]>([
    ['max_tokens', { max_tokens: 10 }, 'max_tokens: Extra inputs are not permitted'],
    ['stream', { stream: true }, 'stream: Extra inputs are not permitted'],
    ['metadata', { metadata: {} }, 'metadata: Extra inputs are not permitted'],
  ])('refuses %s', (_name, extra, message) => {
    const body = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], ...extra };
    expect(checkCountTokens(body, [])).toEqual({ ok: false, message });
  });
});
