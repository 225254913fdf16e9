import { describe, expect, it } from 'vitest';
import { applySettings, getAt, revertSettings } from './settings-edit.js';

describe('applySettings / revertSettings', () => {
  it('sets nested paths, records what was there, and puts it back', () => {
    const doc: Record<string, unknown> = {
      env: { KEEP: '1', ANTHROPIC_BASE_URL: 'https://old' },
      theme: 'dark',
    };
    const settings = [
      { path: ['env', 'ANTHROPIC_BASE_URL'], value: 'http://gw' },
      { path: ['env', 'ANTHROPIC_AUTH_TOKEN'], value: 'ck_fake' },
    ];
    const previous = applySettings(doc, settings);
    expect(doc).toEqual({
      env: { KEEP: '1', ANTHROPIC_BASE_URL: 'http://gw', ANTHROPIC_AUTH_TOKEN: 'ck_fake' },
      theme: 'dark',
    });
    expect(previous).toEqual([
      { path: ['env', 'ANTHROPIC_BASE_URL'], had: true, value: 'https://old' },
      { path: ['env', 'ANTHROPIC_AUTH_TOKEN'], had: false },
    ]);
    expect(revertSettings(doc, settings, previous)).toEqual({ kept: [] });
    expect(doc).toEqual({ env: { KEEP: '1', ANTHROPIC_BASE_URL: 'https://old' }, theme: 'dark' });
  });

  it('removes objects it created and left empty, never ones that hold something else', () => {
    const doc: Record<string, unknown> = {};
    const settings = [{ path: ['models', 'providers', 'clawkeep'], value: { a: 1 } }];
    const previous = applySettings(doc, settings);
    expect(getAt(doc, ['models', 'providers', 'clawkeep'])).toEqual({ found: true, value: { a: 1 } });
    (doc.models as Record<string, unknown>).mode = 'merge';
    revertSettings(doc, settings, previous);
    expect(doc).toEqual({ models: { mode: 'merge' } });
  });

  it('leaves a value the user changed since and reports it', () => {
    const doc: Record<string, unknown> = { model_provider: 'openai' };
    const settings = [{ path: ['model_provider'], value: 'clawkeep' }];
    const previous = applySettings(doc, settings);
    doc.model_provider = 'mine';
    expect(revertSettings(doc, settings, previous)).toEqual({ kept: ['model_provider'] });
    expect(doc.model_provider).toBe('mine');
  });

  it('replaces a non-object on the way instead of throwing', () => {
    const doc: Record<string, unknown> = { env: 'not an object' };
    const previous = applySettings(doc, [{ path: ['env', 'X'], value: 'y' }]);
    expect(doc).toEqual({ env: { X: 'y' } });
    expect(previous).toEqual([{ path: ['env', 'X'], had: false }]);
  });

  it('does not share objects with the settings it was given', () => {
    const value = { nested: { n: 1 } };
    const doc: Record<string, unknown> = {};
    applySettings(doc, [{ path: ['p'], value }]);
    value.nested.n = 2;
    expect(doc).toEqual({ p: { nested: { n: 1 } } });
  });
});
