import { describe, expect, it } from 'vitest';
import { describeLoginModes, loginModes } from './modes.js';

describe('login modes', () => {
  it('device only where a device endpoint exists', () => {
    expect(loginModes('openai-codex', {})).toEqual(['browser']);
    expect(loginModes('anthropic', {})).toEqual(['browser']);
    expect(loginModes('openai', {})).toEqual([]);
    expect(
      loginModes('openai-codex', { CLAWKEEP_OPENAI_CODEX_DEVICE_URL: 'http://127.0.0.1:1/device' }),
    ).toEqual(['browser', 'device']);
  });

  it('describes them for help and errors', () => {
    expect(describeLoginModes(['browser'])).toMatch(/^browser \(PKCE/);
    expect(describeLoginModes([])).toBe('none (it uses API keys)');
  });
});
