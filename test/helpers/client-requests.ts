// Request bodies in the shapes real clients send, for the emulator's tests and the client suites.

type Json = Record<string, unknown>;

/**
 * A request in the shape Codex CLI 0.171.0 sent to the emulator (trimmed): no `instructions`, the base
 * prompt as the first developer message, message ids although `store` is false, `client_metadata`,
 * a `namespace` tool (multi_agent_v1) and `web_search`; plus the other tool kinds and optional fields
 * Codex can send (custom apply_patch grammar, local_shell, image_generation, text, service_tier).
 */
export const CODEX_CLI_REQUEST: Json = {
  model: 'gpt-5.3-codex',
  input: [
    {
      type: 'message',
      id: 'msg_f20346f4-0111-5ff6-9377-05cacf9ede34',
      role: 'developer',
      content: [{ type: 'input_text', text: 'You are a coding agent running in the Codex CLI.' }],
    },
    {
      type: 'message',
      id: 'msg_01a23784-2b77-7671-ab51-ebf594bf7686',
      role: 'user',
      content: [{ type: 'input_text', text: 'list files' }],
    },
    {
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'thinking' }],
      content: null,
      encrypted_content: 'gAAAAB-fake-encrypted',
    },
    { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'call_1' },
    { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
    { type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch', call_id: 'call_2' },
    { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
    { role: 'user', content: 'and now?' },
  ],
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a command',
      strict: false,
      parameters: { type: 'object', properties: { command: { type: 'array' } }, required: ['command'] },
    },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edits files',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    },
    {
      type: 'namespace',
      name: 'multi_agent_v1',
      description: 'Sub-agents',
      tools: [
        { type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: {} } },
        { type: 'function', name: 'wait', strict: false, parameters: { type: 'object', properties: {} } },
      ],
    },
    { type: 'web_search', external_web_access: false },
    { type: 'local_shell' },
    { type: 'image_generation', output_format: 'png' },
    { type: 'file_search', vector_store_ids: ['vs_1'] },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: '0199a7c2-5a8e-7d53-9d0c-6a1b7c2d3e4f',
  client_metadata: {
    'x-codex-installation-id': '6d62897c-dffb-4dc0-a11e-014b3e37bd05',
    turn_id: '01a23784-2abf-7c73-9250-c59166250952',
    session_id: '01a23784-2aa1-7183-9d23-576861a268ba',
  },
  text: { verbosity: 'low', format: { type: 'json_schema', name: 'out', strict: true, schema: {} } },
  service_tier: 'priority',
};

/**
 * The `anthropic-beta` header Claude Code 2.1.332 sent to the emulator with an API key
 * (`claude -p`, default model claude-opus-5-5); with a Claude login it adds `oauth-2025-04-20`.
 */
export const CLAUDE_CODE_BETAS_HEADER =
  'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,per-turn-control-2026-07-01,mid-conversation-tool-changes-2026-07-01,thinking-token-count-2026-05-13,advanced-tool-use-2025-11-20,effort-2025-11-24';
export const CLAUDE_CODE_BETAS = CLAUDE_CODE_BETAS_HEADER.split(',');
export const ephemeral = { type: 'ephemeral' };

/** A request in the shape Claude Code 2.1.332 sends (trimmed): system blocks, a system turn, adaptive thinking. */
export const CLAUDE_CODE_REQUEST: Json = {
  model: 'claude-opus-5-5',
  max_tokens: 32000,
  system: [
    { type: 'text', text: 'You are a helpful agent.', cache_control: { type: 'ephemeral', scope: 'global' } },
    { type: 'text', text: 'Environment: linux', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'list files' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'plan', signature: 'sig' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt', cache_control: ephemeral }],
    },
    { role: 'system', content: '<system-reminder>todo list is empty</system-reminder>' },
  ],
  tools: [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { type: 'object', properties: { command: { type: 'string' } } },
    },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  tool_choice: { type: 'auto' },
  thinking: { type: 'adaptive', display: 'omitted' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'medium' },
  metadata: { user_id: 'user_abc_account_def_session_ghi' },
  stream: true,
};
