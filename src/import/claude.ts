import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';
import { readClaudeCopy } from '../linked/claude-credentials.js';
import { type JsonDoc, readJsonDoc, sourceInvalid } from '../linked/json-file.js';
import { detachJson } from './detach.js';
import type { ImportSource } from './types.js';

/** `--claude-home`, else `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export function claudeHome(explicit?: string, env = process.env): string {
  return resolve(explicit ?? readEnv(env).CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude'));
}

/**
 * Claude Code's login in `<dir>/.credentials.json` (Linux; macOS keeps it in the Keychain). Identity
 * comes from Claude Code's `.claude.json` (`oauthAccount`), inside the dir or next to it.
 */
export async function readClaudeSource(dir: string): Promise<ImportSource> {
  const path = join(dir, '.credentials.json');
  const d = await readJsonDoc(path);
  if (!d) {
    throw sourceInvalid(
      path,
      '(file)',
      'Claude Code credentials (none there; on macOS they live in the Keychain)',
    );
  }
  const copy = readClaudeCopy(d);
  if (!copy)
    throw sourceInvalid(path, 'claudeAiOauth', 'a Claude login ({accessToken, refreshToken, expiresAt})');
  const identity = await readClaudeIdentity(dir);
  return {
    kind: 'claude',
    title: `Claude Code (${path})`,
    copies: [
      {
        ...copy,
        ...identity,
        file: path,
        link: { kind: 'claude-credentials', location: path },
        suggestedName: null,
      },
    ],
    notes: [],
    archive: async (_copies, now) => [
      await detachJson(path, now, (doc) => {
        delete doc.claudeAiOauth;
        return Object.keys(doc).length > 0 ? doc : null;
      }),
    ],
  };
}

async function readClaudeIdentity(dir: string): Promise<{ accountId: string | null; email: string | null }> {
  for (const candidate of [join(dir, '.claude.json'), join(dirname(dir), '.claude.json')]) {
    let d: JsonDoc | null;
    try {
      d = await readJsonDoc(candidate);
    } catch {
      continue;
    }
    const a = d?.doc.oauthAccount as Record<string, unknown> | undefined;
    if (a && typeof a === 'object') {
      return {
        accountId: typeof a.accountUuid === 'string' ? a.accountUuid : null,
        email: typeof a.emailAddress === 'string' ? a.emailAddress : null,
      };
    }
  }
  return { accountId: null, email: null };
}
