import { describe, expect, it } from 'vitest';
import { INSECURE_REMOTE_ENV, isLoopbackHost, remoteRefusal } from './remote.js';

describe('remote refusal', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['example.test', false],
  ])('%s loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
    expect(remoteRefusal(host, {}) === null).toBe(loopback);
    expect(remoteRefusal(host, { [INSECURE_REMOTE_ENV]: '1' })).toBeNull();
  });

  it('says how to proceed', () => {
    expect(remoteRefusal('0.0.0.0', {})?.message).toMatch(/SSH tunnel.*--insecure-remote/);
  });
});
