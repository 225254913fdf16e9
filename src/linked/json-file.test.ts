import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonObject, readJsonStore } from '../openclaw/json-files.js';
import { parseOAuthInput } from '../profiles/oauth-input.js';
import { readCodexCopy } from './codex-auth-json.js';
import { readJsonDoc } from './json-file.js';

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-jsonerr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Broken right after a token: V8's own message would quote "rt-fake-SECRET…" back.
const BROKEN = '{\n  "access": "at-fake-SECRET-0123456789",\n  "refresh": rt-fake-SECRET-abcdef\n}\n';

describe('a JSON file that does not parse is reported by position, never by its text', () => {
  it('linked sources (auth.json and friends)', async () => {
    const path = join(dir, 'auth.json');
    writeFileSync(path, BROKEN);
    const err = await readJsonDoc(path).catch((e: Error) => e);
    expect((err as Error).message).toBe(`${path}: not valid JSON (at line 3, column 14)`);
  });

  it('OpenClaw stores', () => {
    const path = join(dir, 'auth-profiles.json');
    writeFileSync(path, BROKEN);
    const r = readJsonObject(path);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('SECRET');
    expect(JSON.stringify(r)).toContain('line 3, column 14');
  });

  it('profiles add-oauth input', () => {
    expect(() => parseOAuthInput('openai-codex:x', 'openai-codex', BROKEN, 'stdin')).toThrow(
      /^stdin: not valid JSON at line 3, column 14;/,
    );
    try {
      parseOAuthInput('openai-codex:x', 'openai-codex', BROKEN, 'stdin');
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRET');
    }
  });
});

describe('a field of the wrong type is reported as malformed with file and field, never ignored', () => {
  it.each([
    ['refresh', 12345, 'profiles.openai-codex:default.refresh: expected a string, found a number'],
    ['access', { nested: true }, 'profiles.openai-codex:default.access: expected a string, found an object'],
    [
      'expires',
      '1790000000000',
      'profiles.openai-codex:default.expires: expected epoch milliseconds (a number), found a string',
    ],
    ['accountId', ['x'], 'profiles.openai-codex:default.accountId: expected a string, found an array'],
  ])('OpenClaw store with %s of the wrong type', (field, value, want) => {
    const path = join(dir, `auth-profiles-${field}.json`);
    const profile = {
      type: 'oauth',
      provider: 'openai-codex',
      access: 'at-fake',
      refresh: 'rt-fake',
      expires: 1,
    };
    writeFileSync(
      path,
      JSON.stringify({ version: 1, profiles: { 'openai-codex:default': { ...profile, [field]: value } } }),
    );
    const r = readJsonStore({ kind: 'json', path } as Parameters<typeof readJsonStore>[0]);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem.message).toBe(`${path}: ${want}`);
  });

  it('Codex auth.json with a numeric account_id', async () => {
    const path = join(dir, 'codex-auth.json');
    writeFileSync(
      path,
      JSON.stringify({ tokens: { access_token: 'a', refresh_token: 'r', account_id: 42 } }),
    );
    const d = (await readJsonDoc(path))!;
    expect(() => readCodexCopy(d)).toThrow(`${path}: tokens.account_id: expected a string, found a number`);
  });
});
