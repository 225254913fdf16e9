import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';
import { readCodexCopy } from '../linked/codex-auth-json.js';
import { readJsonDoc, sourceInvalid } from '../linked/json-file.js';
import { invokedAs } from '../util/invoked-as.js';
import { detachJson } from './detach.js';
import type { ImportSource } from './types.js';

/** `--codex-home`, else `$CODEX_HOME`, else `~/.codex`. */
export function codexHome(explicit?: string, env = process.env): string {
  return resolve(explicit ?? readEnv(env).CODEX_HOME ?? join(homedir(), '.codex'));
}

/** Codex CLI's ChatGPT login in `<codex home>/auth.json`. */
export async function readCodexSource(dir: string): Promise<ImportSource> {
  const path = join(dir, 'auth.json');
  const d = await readJsonDoc(path);
  if (!d) throw sourceInvalid(path, '(file)', 'Codex CLI auth.json (none there; pass --codex-home DIR)');
  const copy = readCodexCopy(d);
  const notes: string[] = [];
  if (typeof d.doc.OPENAI_API_KEY === 'string' && d.doc.OPENAI_API_KEY) {
    notes.push(
      `${path}: OPENAI_API_KEY left in place (add it with: ${invokedAs()} profiles add-key --provider openai)`,
    );
  }
  if (!copy) throw sourceInvalid(path, 'tokens', 'a ChatGPT login ({id_token, access_token, refresh_token})');
  return {
    kind: 'codex',
    title: `Codex CLI (${path})`,
    copies: [
      {
        ...copy,
        file: path,
        link: { kind: 'codex-auth-json', location: path },
        suggestedName: null,
      },
    ],
    notes,
    archive: async (_copies, now) => [
      await detachJson(path, now, (doc) => {
        delete doc.tokens;
        delete doc.last_refresh;
        // Without tokens and key Codex is simply logged out: the file goes, the backup stays.
        return typeof doc.OPENAI_API_KEY === 'string' && doc.OPENAI_API_KEY ? doc : null;
      }),
    ],
  };
}
