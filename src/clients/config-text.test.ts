import { describe, expect, it } from 'vitest';
import { formatConfig, parseConfig } from './config-text.js';

describe('parseConfig / formatConfig', () => {
  it('keeps a JSON file’s indentation', () => {
    const d = parseConfig('json', '/x/settings.json', '{\n    "a": 1\n}\n');
    expect(d.indent).toBe(4);
    expect(formatConfig('json', d)).toBe('{\n    "a": 1\n}\n');
  });

  it('treats a missing or empty file as an empty document', () => {
    expect(parseConfig('json', '/x/a.json', null).doc).toEqual({});
    expect(parseConfig('toml', '/x/config.toml', '  \n').doc).toEqual({});
  });

  it('round-trips TOML tables and keeps every key', () => {
    const text =
      'model = "gpt-5"\n\n[profiles.fast]\nmodel = "o4"\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs"]\n';
    const d = parseConfig('toml', '/x/config.toml', text);
    expect(parseConfig('toml', '/x/config.toml', formatConfig('toml', d)).doc).toEqual(d.doc);
  });

  it.each([
    ['json', '{ // comment\n "a": 1 }', /not plain JSON/],
    ['json', '[1, 2]', /not a JSON object/],
    ['toml', 'model = = 1', /not valid TOML/],
  ] as const)('refuses %s it cannot edit, naming the file (%s)', (format, text, message) => {
    expect(() => parseConfig(format, '/home/u/.cfg', text)).toThrow(message);
    expect(() => parseConfig(format, '/home/u/.cfg', text)).toThrow('/home/u/.cfg');
  });
});
