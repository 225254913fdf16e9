import { describe, expect, it } from 'vitest';
import { readUsage, SseUsageTap } from './read-usage.js';

describe('readUsage', () => {
  it.each([
    ['Responses object', { object: 'response', usage: { input_tokens: 12, output_tokens: 3 } }, [12, 3]],
    [
      'response.completed',
      { type: 'response.completed', response: { usage: { input_tokens: 7, output_tokens: 2 } } },
      [7, 2],
    ],
    ['Chat Completions', { usage: { prompt_tokens: 9, completion_tokens: 4 } }, [9, 4]],
    [
      'Anthropic message with cache reads',
      { type: 'message', usage: { input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 8 } },
      [105, 8],
    ],
    [
      'message_start',
      { type: 'message_start', message: { usage: { input_tokens: 11, output_tokens: 1 } } },
      [11, 1],
    ],
    ['no usage', { type: 'response.output_text.delta', delta: 'hi' }, null],
  ])('%s', (_name, json, want) => {
    const u = readUsage(json);
    expect(u ? [u.inputTokens, u.outputTokens] : null).toEqual(want);
  });
});

describe('SseUsageTap', () => {
  it('reads Anthropic counts split over message_start and message_delta, across chunk borders', () => {
    const stream = [
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"usage is high"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","usage":{"output_',
      'tokens":34}}\n\n',
    ];
    const tap = new SseUsageTap();
    for (const c of stream) tap.push(Buffer.from(c));
    expect(tap.result()).toEqual({ inputTokens: 21, outputTokens: 34 });
  });

  it('reads the Responses stream from response.completed and nothing from a stream without usage', () => {
    const tap = new SseUsageTap();
    tap.push('data: {"type":"response.completed","response":{"usage":{"input_tokens":3,"output_tokens":4}}}');
    expect(tap.result()).toEqual({ inputTokens: 3, outputTokens: 4 });
    const none = new SseUsageTap();
    none.push('data: {"type":"response.output_text.delta"}\n\n');
    expect(none.result()).toBeNull();
  });
});
