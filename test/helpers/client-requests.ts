// Request bodies in the shapes real clients send, for the emulator's tests and the client suites.

type Json = Record<string, unknown>;

/** A request in the shape Codex CLI builds (codex-rs ResponsesApiRequest), every tool kind it sends. */
export const CODEX_CLI_REQUEST: Json = {
  model: 'gpt-5.3-codex',
  instructions: 'You are Codex, a coding agent.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list files' }] },
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
    { type: 'web_search', external_web_access: true },
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
  client_metadata: { 'x-codex-installation-id': 'inst-1' },
  text: { verbosity: 'low', format: { type: 'json_schema', name: 'out', strict: true, schema: {} } },
  service_tier: 'priority',
};

/** The betas Claude Code sends on a logged-in request (captured, see opencode-anthropic-auth#174). */
export const CLAUDE_CODE_BETAS_HEADER =
  'claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,context-management-2025-06-27,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,effort-2025-11-24';
export const CLAUDE_CODE_BETAS = CLAUDE_CODE_BETAS_HEADER.split(',');
export const ephemeral = { type: 'ephemeral' };

/** A request in the shape Claude Code sends. */
export const CLAUDE_CODE_REQUEST: Json = {
  model: 'claude-opus-4-8',
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
  thinking: { type: 'adaptive' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'high' },
  metadata: { user_id: 'user_abc_account_def_session_ghi' },
  stream: true,
};
