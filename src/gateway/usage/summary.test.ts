import { describe, expect, it } from 'vitest';
import { isClawkeepError } from '../../errors.js';
import { parseSince, summarizeUsage } from './summary.js';

describe('summarizeUsage', () => {
  it('adds minutes up per client and model, busiest first', () => {
    const row = (
      minute: number,
      client: string,
      model: string,
      requests: number,
      tin: number,
      tout: number,
    ) => ({
      minute,
      client,
      model,
      requests,
      tokensIn: tin,
      tokensOut: tout,
    });
    expect(
      summarizeUsage([
        row(0, 'a', 'openai-codex/gpt-5', 1, 10, 1),
        row(60_000, 'a', 'openai-codex/gpt-5', 2, 20, 2),
        row(0, 'b', 'anthropic/claude-sonnet-4-5', 5, 1, 1),
      ]),
    ).toEqual([
      { client: 'b', model: 'anthropic/claude-sonnet-4-5', requests: 5, tokensIn: 1, tokensOut: 1 },
      { client: 'a', model: 'openai-codex/gpt-5', requests: 3, tokensIn: 30, tokensOut: 3 },
    ]);
  });
});

describe('parseSince', () => {
  it.each([
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
  ])('%s', (v, ms) => expect(parseSince(v)).toBe(ms));

  it('names the flag and the expected form on bad input', () => {
    try {
      parseSince('yesterday');
      expect.unreachable();
    } catch (err) {
      expect(isClawkeepError(err, 'usage')).toBe(true);
      expect((err as Error).message).toMatch(/--since "yesterday".*30m, 1h, 1d, 2w/);
    }
  });
});
