import { describe, expect, it } from 'vitest';
import { codexBackendRefusal } from '../emulator/openai-codex-routes.js';
import { CODEX_BACKEND_ADJUSTMENTS, passThroughBody } from './passthrough.js';

describe('passThroughBody for the Codex backend', () => {
  const pass = (json: Record<string, unknown>) => {
    const out = passThroughBody(json, 'gpt-5.1-codex', CODEX_BACKEND_ADJUSTMENTS);
    return { body: JSON.parse(out.body) as Record<string, unknown>, dropped: out.dropped };
  };

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['store forced false', { store: true }, { store: false }, []],
    ['stream forced true', { stream: false }, { stream: true }, []],
    [
      'a string input becomes one user message',
      { input: 'hi' },
      { input: [{ type: 'message', role: 'user', content: 'hi' }] },
      [],
    ],
    [
      'system messages become developer messages',
      { input: [{ role: 'system', content: 's' }] },
      { input: [{ role: 'developer', content: 's' }] },
      [],
    ],
    ['max_output_tokens removed, reported', { max_output_tokens: 5 }, {}, ['max_output_tokens']],
    ['temperature removed, reported', { temperature: 0.2 }, {}, ['temperature']],
  ])('%s', (_name, change, expected, dropped) => {
    const out = pass({ model: 'x', instructions: 'i', input: [], ...change });
    expect(out.body).toMatchObject({ model: 'gpt-5.1-codex', ...expected });
    expect(out.dropped).toEqual(dropped);
    expect(codexBackendRefusal(out.body)).toBeNull();
  });

  it('keeps every other field and tool type as the client wrote it', () => {
    const client = {
      model: 'gpt-6.2-sol',
      stream: true,
      store: false,
      input: [
        { type: 'additional_tools', role: 'developer', tools: [{ type: 'namespace', name: 'n', tools: [] }] },
      ],
      reasoning: { effort: 'low', context: 'all_turns' },
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'k',
      client_metadata: { a: 'b' },
      parallel_tool_calls: true,
      tools: [{ type: 'web_search', external_web_access: false }],
      text: { verbosity: 'low' },
    };
    const out = pass(client);
    expect(out.body).toEqual({ ...client, model: 'gpt-5.1-codex' });
    expect(out.dropped).toEqual([]);
  });
});
