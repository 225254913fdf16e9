import { describe, expect, it } from 'vitest';
import { parseSse, type SseMessage } from './sse.js';

async function* bytes(chunks: readonly (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const c of chunks) yield typeof c === 'string' ? encoder.encode(c) : c;
}

async function collect(chunks: readonly (string | Uint8Array)[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of parseSse(bytes(chunks))) out.push(m);
  return out;
}

/** Every way of cutting `text` into two chunks must parse the same as the whole. */
async function everySplit(text: string): Promise<SseMessage[]> {
  const whole = await collect([text]);
  const encoded = new TextEncoder().encode(text);
  for (let i = 1; i < encoded.length; i++) {
    expect(await collect([encoded.slice(0, i), encoded.slice(i)])).toEqual(whole);
  }
  return whole;
}

describe('parseSse', () => {
  it('reads named and unnamed events', async () => {
    expect(await collect(['event: a\ndata: {"x":1}\n\ndata: [DONE]\n\n'])).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: null, data: '[DONE]' },
    ]);
  });

  it('joins multi-line data, skips comments and unknown fields, keeps inner spaces', async () => {
    const text = ': keep-alive\nid: 7\nretry: 10\nevent: m\ndata: one\ndata:  two\ndata\n\n';
    expect(await collect([text])).toEqual([{ event: 'm', data: 'one\n two\n' }]);
  });

  it('handles CRLF and lone CR line ends, whatever the chunking', async () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: é€😀\n\n';
    expect(await everySplit(text)).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: null, data: 'é€😀' },
    ]);
  });

  it('drops event names without data and delivers a final event missing its blank line', async () => {
    expect(await collect(['event: ping\n\nevent: last\ndata: x'])).toEqual([{ event: 'last', data: 'x' }]);
    expect(await collect(['data: a\r'])).toEqual([{ event: null, data: 'a' }]);
    expect(await collect([])).toEqual([]);
  });

  it('parses one byte at a time', async () => {
    const text = 'event: response.output_text.delta\ndata: {"delta":"héllo"}\n\n';
    const encoded = new TextEncoder().encode(text.repeat(3));
    const chunks = Array.from(encoded, (b) => Uint8Array.of(b));
    expect(await collect(chunks)).toHaveLength(3);
  });

  it('keeps up with a large stream', async () => {
    const frame = `event: content_block_delta\ndata: ${JSON.stringify({ delta: { text: 'x'.repeat(40) } })}\n\n`;
    const big = frame.repeat(20_000);
    const chunks: string[] = [];
    for (let i = 0; i < big.length; i += 1000) chunks.push(big.slice(i, i + 1000));
    expect(await collect(chunks)).toHaveLength(20_000);
  });
});
