import { describe, expect, it } from 'vitest';
import { describeLoginModes, loginModes } from './modes.js';

describe('login modes', () => {
  it('device only for a provider with a device login of its own (OpenAI)', () => {
    expect(loginModes('openai-codex', {})).toEqual(['browser', 'device']);
    expect(loginModes('anthropic', {})).toEqual(['browser']);
    expect(loginModes('openai', {})).toEqual([]);
    // The variable moves a device login (to the emulator); it does not invent one for Anthropic.
    expect(loginModes('anthropic', { CLAWKEEP_ANTHROPIC_DEVICE_URL: 'http://127.0.0.1:1/device' })).toEqual([
      'browser',
    ]);
  });

  it('describes them for help and errors', () => {
    expect(describeLoginModes(['browser'])).toMatch(/^browser \(PKCE/);
    expect(describeLoginModes([])).toBe('none (it uses API keys)');
  });
});
