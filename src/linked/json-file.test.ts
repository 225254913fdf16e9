import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonObject } from '../openclaw/json-files.js';
import { parseOAuthInput } from '../store/oauth-input.js';
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
