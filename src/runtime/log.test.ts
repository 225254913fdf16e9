import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine } from './log.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

describe('gateway log', () => {
  it('pretty: one readable line with time, client, route, status, ms and fallback, never a secret', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', stream, 'pretty');
    log.info(
      {
        client: 'my-agent',
        chain: 'main',
        target: 'anthropic/claude-sonnet-4-5',
        status: 200,
        latencyMs: 812.4,
        fallback: 'openai-codex/gpt-5 -> anthropic/claude-sonnet-4-5; reason=rate_limited',
        access: 'fake-secret-access',
      },
      'request',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}request my-agent main anthropic\/claude-sonnet-4-5 200 812\.4ms fallback=openai-codex\/gpt-5 -> anthropic\/claude-sonnet-4-5; reason=rate_limited access=\[redacted\]$/,
    );
    expect(lines[0]).not.toContain('{');
  });

  it('json stays JSON (for files, pipes and --log-format json)', () => {
    const { lines, stream } = sink();
    createLogger('info', stream).info({ client: 'a', status: 200 }, 'request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ client: 'a', status: 200, msg: 'request' });
  });

  it('keeps a line that is not JSON as it is', () => {
    expect(formatLogLine('plain text\n')).toBe('plain text');
  });
});
