import { describe, expect, it } from 'vitest';
import { FaultRuleSchema, Faults } from './faults.js';

const rule = (input: unknown) => FaultRuleSchema.parse(input);

describe('Faults', () => {
  it('consumes counted faults one per matching request, rate limits first', () => {
    const faults = new Faults();
    faults.add(rule({ status5xx: { count: 1, status: 503 }, rateLimit: { count: 1, retryAfterSeconds: 5 } }));
    expect(faults.take('model', 'anthropic')).toEqual({ kind: 'rateLimit', retryAfterSeconds: 5 });
    expect(faults.take('token', 'openai-codex')).toEqual({ kind: 'status5xx', status: 503 });
    expect(faults.take('token', 'openai-codex')).toEqual({ kind: 'none' });
    expect(faults.list()).toEqual([]);
    expect(faults.injected()).toEqual({ latency: 0, status5xx: 1, rateLimit: 1, dropAfterRotate: 0 });
  });

  it('matches on target and provider', () => {
    const faults = new Faults();
    faults.add(rule({ target: 'token', provider: 'anthropic', status5xx: { count: 5 } }));
    expect(faults.take('model', 'anthropic').kind).toBe('none');
    expect(faults.take('token', 'openai-codex').kind).toBe('none');
    expect(faults.take('token', 'anthropic')).toEqual({ kind: 'status5xx', status: 500 });
  });

  it('keeps latency until cleared and drops after rotate only for tokens', () => {
    const faults = new Faults();
    faults.add(rule({ latencyMs: 20, dropAfterRotate: { count: 1 } }));
    expect(faults.latencyFor('model', 'openai')).toBe(20);
    expect(faults.takeDropAfterRotate('anthropic')).toBe(true);
    expect(faults.takeDropAfterRotate('anthropic')).toBe(false);
    expect(faults.latencyFor('token', 'anthropic')).toBe(20);
    faults.clear();
    expect(faults.latencyFor('token', 'anthropic')).toBe(0);
  });

  it('rejects malformed rules', () => {
    expect(FaultRuleSchema.safeParse({ status5xx: { count: 1, status: 404 } }).success).toBe(false);
    expect(FaultRuleSchema.safeParse({ target: 'everything' }).success).toBe(false);
    expect(FaultRuleSchema.safeParse({ rateLimit: { count: 0, retryAfterSeconds: 1 } }).success).toBe(false);
  });
});
