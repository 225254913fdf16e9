import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../test/helpers/log-sink.js';
import type { Broker, Credential } from '../broker/broker.js';
import { ConfigSchema } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import type { Candidate } from './attempt.js';
import { Cooldowns } from './cooldowns.js';
import { MetricLabels } from './labels.js';
import { GatewayMetrics } from './metrics.js';
import { withCooldown, withCredential } from './send.js';

const candidate = {
  target: { provider: 'openai-codex', model: 'gpt-5', profiles: null, strategy: null },
  profileId: 'openai-codex:default',
  label: 'openai-codex/gpt-5@openai-codex:default',
} as unknown as Candidate;

function layers(fail: () => unknown) {
  const { log, lines } = memoryLogger();
  const metrics = new GatewayMetrics();
  const cooldowns = new Cooldowns();
  const config = ConfigSchema.parse({});
  const broker = {
    getCredential: async (): Promise<Credential> => {
      throw fail();
    },
  } as unknown as Broker;
  const send = withCooldown(
    { cooldowns, metrics, config, labels: new MetricLabels(config) },
    withCredential({ broker, log, metrics }, async () => ({ kind: 'served', value: 'ok' })),
  );
  return { send, lines, metrics, cooldowns };
}

describe('the credential layer: a refresh that failed inside clawkeep', () => {
  it.each([
    [
      'a bug (an error whose message quotes source text)',
      () => new TypeError('(p) => this.#isFresh(p) is not a function'),
      'TypeError',
      'unexpected',
    ],
    ['a store error', () => new ClawkeepError('store_io', 'disk I/O error at /x'), 'store_io', 'store_io'],
    [
      'a dead write thread',
      () => new ClawkeepError('store_worker_died', 'stopped'),
      'store_worker_died',
      'store_worker_died',
    ],
  ])(
    '%s: one line with a stable cause, no cooldown, logged at error and counted',
    async (_name, fail, cause, label) => {
      const { send, lines, metrics, cooldowns } = layers(fail);
      const out = await send(candidate);
      expect(out).toMatchObject({
        kind: 'next',
        failure: { reason: 'internal_error', detail: `refresh_failed [internal: ${cause}]` },
      });
      expect(JSON.stringify(out)).not.toMatch(/=>|this\.#|\/x/);
      // Tried again on the next request, not rested like a provider's failure.
      expect(cooldowns.get(candidate.profileId, 'gpt-5')).toBeNull();
      expect((await send(candidate)).kind).toBe('next');
      const counted = await metrics.internalErrors.get();
      expect(counted.values).toEqual([{ labels: { stage: 'refresh', cause: label }, value: 2 }]);
      const logged = lines.map((l) => JSON.parse(l) as { level: number; cause: string; msg: string });
      expect(logged.map((l) => [l.level, l.cause])).toEqual([
        [50, cause],
        [50, cause],
      ]);
      expect(lines.join('')).not.toMatch(/=>|this\.#/);
    },
  );

  it('a provider-side refresh failure still rests the login (refresh_failed, 30 s)', async () => {
    const { send, cooldowns } = layers(() => new ClawkeepError('refresh_transient', 'token endpoint 503'));
    const out = await send(candidate);
    expect(out).toMatchObject({
      kind: 'next',
      failure: { reason: 'refresh_failed', detail: 'refresh_transient' },
    });
    expect(cooldowns.get(candidate.profileId, 'gpt-5')?.reason).toBe('refresh_failed');
  });
});
