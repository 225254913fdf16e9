import { describe, expect, it } from 'vitest';
import { CODEX_CLI_REQUEST } from '../../test/helpers/client-requests.js';
import { codexBackendRefusal } from './openai-codex-routes.js';
import { validateOpenAI } from './openai-invalid.js';
import { ResponsesRequestSchema } from './responses-schema.js';

type Json = Record<string, unknown>;

const invalid = (param: string | null, code: string | null, message: string) => ({
  error: { type: 'invalid_request_error', param, code, message },
});

describe('Responses request rules', () => {
  it('accepts what Codex CLI sends', () => {
    expect(validateOpenAI(ResponsesRequestSchema, CODEX_CLI_REQUEST)).toMatchObject({ ok: true });
    expect(codexBackendRefusal(CODEX_CLI_REQUEST)).toBeNull();
  });

  it.each<[string, Json]>([
    ['a string input', { input: 'hi' }],
    ['parallel_tool_calls false', { parallel_tool_calls: false }],
    ['store true and previous_response_id', { store: true, previous_response_id: 'resp_1' }],
    ['sampling and limits', { temperature: 0.2, top_p: 0.9, max_output_tokens: 64, truncation: 'auto' }],
    ['metadata and user', { metadata: { a: 'b' }, user: 'u', safety_identifier: 's' }],
    ['system message', { input: [{ role: 'system', content: 'be terse' }] }],
    ['reasoning item without encrypted content', { input: [{ type: 'reasoning', summary: [] }] }],
    ['custom tool with text format', { tools: [{ type: 'custom', name: 'raw', format: { type: 'text' } }] }],
    ['web_search_preview', { tools: [{ type: 'web_search_preview' }] }],
    ['mcp tool', { tools: [{ type: 'mcp', server_label: 'docs', server_url: 'https://mcp.example' }] }],
    ['tool_choice object', { tool_choice: { type: 'function', name: 'shell' } }],
    ['reasoning effort none', { reasoning: { effort: 'none' } }],
    ['stream_options', { stream: true, stream_options: { include_obfuscation: false } }],
  ])('accepts %s on api.openai.com', (_name, extra) => {
    const result = validateOpenAI(ResponsesRequestSchema, { model: 'gpt-5.4', input: 'hi', ...extra });
    expect(result).toMatchObject({ ok: true });
  });

  it.each<[string, Json, ReturnType<typeof invalid>]>([
    [
      'an unknown top-level parameter',
      { foo: 1 },
      invalid('foo', 'unknown_parameter', "Unknown parameter: 'foo'."),
    ],
    [
      'a Chat Completions parameter',
      { messages: [] },
      invalid('messages', 'unknown_parameter', "Unknown parameter: 'messages'."),
    ],
    [
      'an unknown tool type',
      { tools: [{ type: 'shell_command' }] },
      invalid(
        'tools[0].type',
        'invalid_value',
        "Invalid value: 'shell_command'. Supported values are: 'function', 'file_search', 'computer', 'computer_use_preview', 'web_search', 'web_search_2025_08_26', 'mcp', 'code_interpreter', 'programmatic_tool_calling', 'image_generation', 'local_shell', 'shell', 'custom', 'namespace', 'tool_search', 'web_search_preview', 'web_search_preview_2025_03_11', and 'apply_patch'.",
      ),
    ],
    [
      'a tool without type',
      { tools: [{ name: 'x' }] },
      invalid('tools[0].type', 'missing_required_parameter', "Missing required parameter: 'tools[0].type'."),
    ],
    [
      'a function tool without name',
      { tools: [{ type: 'function', parameters: {} }] },
      invalid('tools[0].name', 'missing_required_parameter', "Missing required parameter: 'tools[0].name'."),
    ],
    [
      'a namespace without tools',
      { tools: [{ type: 'namespace', name: 'ns', description: 'd' }] },
      invalid(
        'tools[0].tools',
        'missing_required_parameter',
        "Missing required parameter: 'tools[0].tools'.",
      ),
    ],
    [
      'a namespace holding a web_search',
      { tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'web_search' }] }] },
      invalid(
        'tools[0].tools[0].type',
        'invalid_value',
        "Invalid value: 'web_search'. Supported values are: 'function' and 'custom'.",
      ),
    ],
    [
      'a grammar without definition',
      { tools: [{ type: 'custom', name: 'p', format: { type: 'grammar', syntax: 'lark' } }] },
      invalid(
        'tools[0].format.definition',
        'missing_required_parameter',
        "Missing required parameter: 'tools[0].format.definition'.",
      ),
    ],
    [
      'file_search without vector stores',
      { tools: [{ type: 'file_search' }] },
      invalid(
        'tools[0].vector_store_ids',
        'missing_required_parameter',
        "Missing required parameter: 'tools[0].vector_store_ids'.",
      ),
    ],
    [
      'parameters that are not an object',
      { tools: [{ type: 'function', name: 'f', parameters: 'x' }] },
      invalid(
        'tools[0].parameters',
        'invalid_type',
        "Invalid type for 'tools[0].parameters': expected an object, but got a string instead.",
      ),
    ],
    [
      'an unknown reasoning effort',
      { reasoning: { effort: 'extreme' } },
      invalid(
        'reasoning.effort',
        'invalid_value',
        "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'.",
      ),
    ],
    [
      'an unknown reasoning field',
      { reasoning: { budget: 3 } },
      invalid('reasoning.budget', 'unknown_parameter', "Unknown parameter: 'reasoning.budget'."),
    ],
    [
      'an unknown include',
      { include: ['reasoning.raw'] },
      invalid(
        'include[0]',
        'invalid_value',
        "Invalid value: 'reasoning.raw'. Supported values are: 'file_search_call.results', 'web_search_call.results', 'web_search_call.action.sources', 'message.input_image.image_url', 'computer_call_output.output.image_url', 'code_interpreter_call.outputs', 'reasoning.encrypted_content', and 'message.output_text.logprobs'.",
      ),
    ],
    [
      'a string parallel_tool_calls',
      { parallel_tool_calls: 'yes' },
      invalid(
        'parallel_tool_calls',
        'invalid_type',
        "Invalid type for 'parallel_tool_calls': expected a boolean, but got a string instead.",
      ),
    ],
    [
      'a message with an unknown role',
      { input: [{ role: 'tool', content: 'x' }] },
      invalid(
        'input[0].role',
        'invalid_value',
        "Invalid value: 'tool'. Supported values are: 'user', 'assistant', 'system', and 'developer'.",
      ),
    ],
    [
      'a function_call_output without call_id',
      { input: [{ type: 'function_call_output', output: 'x' }] },
      invalid(
        'input[0].call_id',
        'missing_required_parameter',
        "Missing required parameter: 'input[0].call_id'.",
      ),
    ],
    [
      'a string max_output_tokens',
      { max_output_tokens: '5' },
      invalid(
        'max_output_tokens',
        'invalid_type',
        "Invalid type for 'max_output_tokens': expected an integer, but got a string instead.",
      ),
    ],
  ])('rejects %s like the real API', (_name, extra, error) => {
    const result = validateOpenAI(ResponsesRequestSchema, { model: 'gpt-5.4', input: 'hi', ...extra });
    expect(result).toEqual({ ok: false, error });
  });

  it('requires a model', () => {
    expect(validateOpenAI(ResponsesRequestSchema, { input: 'hi' })).toEqual({
      ok: false,
      error: invalid('model', 'missing_required_parameter', "Missing required parameter: 'model'."),
    });
  });
});

describe('Codex backend checks', () => {
  const base = { ...CODEX_CLI_REQUEST };
  it('takes instructions as a developer message, as Codex CLI 0.171 sends them', () => {
    const { instructions: _i, ...noInstructions } = base;
    expect(codexBackendRefusal(noInstructions)).toBeNull();
  });

  it.each<[string, Json, string]>([
    ['max_output_tokens', { max_output_tokens: 100 }, 'Unsupported parameter: max_output_tokens'],
    ['temperature', { temperature: 0.5 }, 'Unsupported parameter: temperature'],
    ['top_p', { top_p: 0.5 }, 'Unsupported parameter: top_p'],
    ['metadata', { metadata: { a: 'b' } }, 'Unsupported parameter: metadata'],
    ['an unknown parameter', { foo: true }, 'Unsupported parameter: foo'],
    ['stream false', { stream: false }, 'Stream must be set to true'],
    ['no stream', { stream: undefined }, 'Stream must be set to true'],
    ['store true', { store: true }, 'Store must be set to false'],
    ['no store', { store: undefined }, 'Store must be set to false'],
    [
      'no instructions and no developer message',
      { instructions: undefined, input: [{ role: 'user', content: 'hi' }] },
      'Instructions are required',
    ],
    ['a string input', { input: 'hi' }, 'Input must be a list'],
    [
      'a system message',
      {
        input: [
          { role: 'system', content: 'x' },
          { role: 'user', content: 'hi' },
        ],
      },
      'System messages are not allowed',
    ],
  ])('refuses %s', (_name, change, detail) => {
    const body = JSON.parse(JSON.stringify({ ...base, ...change })) as Json;
    expect(codexBackendRefusal(body)).toBe(detail);
  });

  it('takes a request without instructions, as Codex CLI 0.171 sends them', () => {
    expect(codexBackendRefusal({ ...base, instructions: undefined })).toBeNull();
  });
});
