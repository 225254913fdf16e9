import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { MetricLabels } from './labels.js';

const config = ConfigSchema.parse({});

describe('metric and usage labels', () => {
  it("counts the models agents run as themselves once served twice (Codex CLI's and Claude Code's defaults)", () => {
    const labels = new MetricLabels(config);
    for (const model of ['openai-codex/gpt-6.2-sol', 'anthropic/claude-opus-5-5', 'openai/gpt-4.1-mini']) {
      expect(labels.target(model)).toMatch(/\/other$/);
      labels.served(model);
      expect(labels.target(`${model}@p:1`)).toMatch(/\/other@p:1$/);
      labels.served(model);
      expect(labels.target(model)).toBe(model);
      expect(labels.target(`${model}@p:1`)).toBe(`${model}@p:1`);
    }
  });

  it('keeps the catalog and config names from the start, and folds the rest past the busiest N per provider', () => {
    const labels = new MetricLabels(config, 3);
    expect(labels.target('openai-codex/gpt-5')).toBe('openai-codex/gpt-5');
    for (let i = 0; i < 10; i++) {
      labels.served(`openai/m-${i}`);
      labels.served(`openai/m-${i}`);
    }
    const own = Array.from({ length: 10 }, (_, i) => labels.target(`openai/m-${i}`));
    expect(own.filter((l) => l !== 'openai/other')).toEqual(['openai/m-0', 'openai/m-1', 'openai/m-2']);
    // Another provider has its own room.
    labels.served('anthropic/x-1');
    labels.served('anthropic/x-1');
    expect(labels.target('anthropic/x-1')).toBe('anthropic/x-1');
  });

  it('never gives a label to a model served once, or to one with odd characters', () => {
    const labels = new MetricLabels(config);
    for (let i = 0; i < 1000; i++) labels.served(`openai/random-${i}`);
    expect(labels.target('openai/random-5')).toBe('openai/other');
    labels.served('openai/a b"c');
    labels.served('openai/a b"c');
    expect(labels.target('openai/a b"c')).toBe('openai/other');
  });
});
