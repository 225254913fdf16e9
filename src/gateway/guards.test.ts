import { describe, expect, it } from 'vitest';
import { ClientConcurrency, checkModelName, hostAllowed, isLoopback, jsonTooDeep } from './guards.js';

describe('guards', () => {
  it.each([
    ['gpt-5.1-codex', true],
    ['claude-opus-5-5', true],
    ['chain:main', true],
    ['modèle', true],
    ['bad\nname', false],
    ['bad\u0000', false],
    ['模型', false],
    ['x'.repeat(257), false],
  ])('model name %j allowed: %s', (model, ok) => {
    if (ok) expect(() => checkModelName(model)).not.toThrow();
    else expect(() => checkModelName(model)).toThrow(/model:/);
  });

  it('measures nesting without parsing, ignoring brackets inside strings', () => {
    const deep = (n: number) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`);
    expect(jsonTooDeep(deep(10), 10)).toBe(false);
    expect(jsonTooDeep(deep(11), 10)).toBe(true);
    expect(jsonTooDeep(Buffer.from(JSON.stringify({ a: '[[[[[[[[[[[["\\"' })), 3)).toBe(false);
  });

  it('caps requests in flight per client', () => {
    const c = new ClientConcurrency(2);
    expect(c.acquire('a')).toBe(true);
    expect(c.acquire('a')).toBe(true);
    expect(c.acquire('a')).toBe(false);
    expect(c.acquire('b')).toBe(true);
    c.release('a');
    expect(c.acquire('a')).toBe(true);
  });

  it.each<[string | undefined, string, string[], boolean]>([
    ['127.0.0.1:18790', '127.0.0.1', [], true],
    ['localhost:18790', '127.0.0.1', [], true],
    ['[::1]:18790', '127.0.0.1', [], true],
    ['evil.example:18790', '127.0.0.1', [], false],
    ['gw.lan:18790', '127.0.0.1', ['gw.lan'], true],
    ['gw.lan:18790', '0.0.0.0', [], true],
    ['evil.example', '0.0.0.0', ['gw.lan'], false],
    [undefined, '127.0.0.1', [], false],
  ])('Host %s on %s (allowed %j): %s', (host, bind, allowed, ok) => {
    expect(hostAllowed(host, bind, allowed)).toBe(ok);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) expect(isLoopback(h)).toBe(false);
  });
});

describe('webhook logging', () => {
  it('logs only the origin of a webhook URL', async () => {
    const { webhookOrigin } = await import('../runtime/webhook.js');
    expect(webhookOrigin('https://hooks.example.test/services/T000/B000/fake-secret-path?token=fake')).toBe(
      'https://hooks.example.test',
    );
    expect(webhookOrigin('not a url')).toBe('(invalid URL)');
  });
});
