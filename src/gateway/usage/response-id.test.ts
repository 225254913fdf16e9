import { describe, expect, it } from 'vitest';
import { responseIdOf, SseResponseIdTap } from './response-id.js';

describe('the stored response a relayed answer created', () => {
  it('is read from a Responses object and from its stream events, nothing else', () => {
    expect(responseIdOf({ object: 'response', id: 'resp_1' })).toBe('resp_1');
    expect(responseIdOf({ type: 'response.created', response: { id: 'resp_2' } })).toBe('resp_2');
    expect(responseIdOf({ object: 'chat.completion', id: 'chatcmpl_1' })).toBeNull();
    expect(responseIdOf(null)).toBeNull();
  });

  it('is found in a stream split anywhere, from the first event that names it', () => {
    const stream =
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_9","status":"in_progress"}}\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_9"}}\n\n';
    for (const cut of [1, 17, 40, 80, stream.length - 3]) {
      const tap = new SseResponseIdTap();
      tap.push(stream.slice(0, cut));
      tap.push(stream.slice(cut));
      expect(tap.id).toBe('resp_9');
    }
    const none = new SseResponseIdTap();
    none.push('data: {"choices":[]}\n\n');
    expect(none.id).toBeNull();
  });
});
