import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorControl } from '../../emulator/control-client.js';
import { type Emulator, startEmulator } from '../../emulator/server.js';
import { parseChatRequest } from '../formats/chat.js';
import { collectResponse } from '../formats/collect.js';
import type { IrEvent, IrRequest, IrResponse } from '../formats/ir.js';
import { buildMessagesBody, parseMessagesStream } from './anthropic-messages.js';
import { buildChatBody, parseChatStream } from './openai-chat.js';
import { buildCodexBody, parseResponsesStream } from './openai-responses.js';
import { parseSse, type SseMessage } from './sse.js';

const noDrop = (_field: string): void => {};

/** One upstream call over real HTTP: the emulator's bytes, as they arrive, through our parsers. */
type Call = (ir: IrRequest) => Promise<IrResponse>;

async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  parse: (sse: AsyncIterable<SseMessage>) => AsyncIterable<IrEvent>,
): Promise<IrResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  if (!res.body) throw new Error('no body');
  return collectResponse(parse(parseSse(res.body)));
}

const firstTurn = parseChatRequest({
  model: 'chain:any',
  messages: [
    { role: 'system', content: 'You help.' },
    { role: 'user', content: 'please use tool' },
  ],
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
});

describe('wire modules against the provider emulator', () => {
  let emu: Emulator;
  const calls: Record<string, Call> = {};

  beforeAll(async () => {
    emu = await startEmulator();
    const env = emu.env();
    const codex = await new EmulatorControl(emu.url).mint({ provider: 'openai-codex' });
    calls.chat = (ir) =>
      post(
        `${env.CLAWKEEP_OPENAI_BASE_URL}/chat/completions`,
        { authorization: 'Bearer sk-emu-test' },
        buildChatBody(ir, 'gpt-4.1'),
        parseChatStream,
      );
    calls.codex = (ir) =>
      post(
        `${env.CLAWKEEP_OPENAI_CODEX_BASE_URL}/responses`,
        { authorization: `Bearer ${codex.access}`, 'chatgpt-account-id': codex.accountId },
        buildCodexBody(ir, 'gpt-5', noDrop),
        parseResponsesStream,
      );
    calls.anthropic = (ir) =>
      post(
        `${env.CLAWKEEP_ANTHROPIC_BASE_URL}/v1/messages`,
        { 'x-api-key': 'sk-emu-test', 'anthropic-version': '2023-06-01' },
        buildMessagesBody(ir, 'claude-sonnet-4-5', noDrop),
        parseMessagesStream,
      );
  });
  afterAll(() => emu.close());

  for (const name of ['chat', 'codex', 'anthropic']) {
    it(`${name}: a tool call, then the answer to its result`, async () => {
      const call = calls[name] as Call;
      const first = await call(firstTurn);
      expect(first.stopReason).toBe('tool_calls');
      const [toolCall] = first.toolCalls;
      expect(toolCall).toMatchObject({ name: 'lookup', arguments: '{}' });
      expect(first.usage.inputTokens).toBeGreaterThan(0);

      const second = await call({
        ...firstTurn,
        messages: [
          ...firstTurn.messages,
          { role: 'assistant', content: [], toolCalls: first.toolCalls },
          {
            role: 'tool',
            toolCallId: toolCall?.id ?? '',
            name: 'lookup',
            content: 'found it',
            isError: false,
          },
        ],
      });
      expect(second).toMatchObject({ stopReason: 'stop', toolCalls: [] });
      // The emulator echoes the last user text; after a tool result that is the result turn's (chat: the prompt).
      expect(second.text).toMatch(/^emulated [a-z-]+ reply to:/);
    });
  }
});
