import { describe, expect, it } from 'vitest';
import { RequestRecorder } from './recorder.js';

describe('RequestRecorder', () => {
  it('keeps the last entries, oldest first, with rising sequence numbers', () => {
    const log = new RequestRecorder(3);
    for (let i = 1; i <= 5; i += 1) log.record('POST', `/p/${i}`, {}, { i });
    expect(log.list().map((e) => [e.seq, e.path])).toEqual([
      [3, '/p/3'],
      [4, '/p/4'],
      [5, '/p/5'],
    ]);
    log.clear();
    expect(log.list()).toEqual([]);
    expect(log.record('GET', '/after', {}, undefined)).toMatchObject({ seq: 6, body: null });
  });

  it.each([
    ['authorization', 'Bearer sk-emu-secret-value', /^Bearer fp:[0-9a-f]{8}\/19$/],
    ['x-api-key', 'sk-emu-secret-value', /^fp:[0-9a-f]{8}\/19$/],
    ['cookie', 'session=abc', /^fp:[0-9a-f]{8}\/11$/],
  ])('replaces %s by a fingerprint', (name, value, shape) => {
    const entry = new RequestRecorder().record('POST', '/x', { [name]: value, 'anthropic-beta': 'a,b' }, {});
    expect(entry.headers[name]).toMatch(shape);
    expect(JSON.stringify(entry)).not.toContain('secret');
    expect(entry.headers['anthropic-beta']).toBe('a,b');
  });

  it('filters by exact path (query ignored) or by prefix ending in *', () => {
    const log = new RequestRecorder();
    log.record('POST', '/anthropic/v1/messages?beta=true', {}, {});
    log.record('POST', '/anthropic/v1/messages/count_tokens', {}, {});
    log.record('POST', '/openai/v1/responses', {}, {});
    expect(log.list('/anthropic/v1/messages').map((e) => e.path)).toEqual([
      '/anthropic/v1/messages?beta=true',
    ]);
    expect(log.list('/anthropic/*')).toHaveLength(2);
    expect(log.list()).toHaveLength(3);
  });

  it('hands out copies', () => {
    const log = new RequestRecorder();
    log.record('POST', '/x', {}, { a: 1 });
    const [copy] = log.list();
    (copy?.body as { a: number }).a = 2;
    expect(log.list()[0]?.body).toEqual({ a: 1 });
  });
});
