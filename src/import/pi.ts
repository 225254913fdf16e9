import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../config/env.js';
import { readJsonDoc, sourceInvalid } from '../linked/json-file.js';
import { PI_PROVIDERS, readPiCopy } from '../linked/pi-auth.js';
import { detachJson } from './detach.js';
import type { ImportCopy, ImportSource } from './types.js';

/** `--pi-home`, else `$PI_CODING_AGENT_DIR`, else `~/.pi/agent`. */
export function piHome(explicit?: string, env = process.env): string {
  return resolve(explicit ?? readEnv(env).PI_CODING_AGENT_DIR ?? join(homedir(), '.pi', 'agent'));
}

/** pi's logins in `<dir>/auth.json`: the OpenAI Codex and Anthropic OAuth entries. */
export async function readPiSource(dir: string): Promise<ImportSource> {
  const path = join(dir, 'auth.json');
  const d = await readJsonDoc(path);
  if (!d) throw sourceInvalid(path, '(file)', "pi's auth.json (none there; pass --pi-home DIR)");
  const copies: ImportCopy[] = [];
  const notes: string[] = [];
  for (const provider of PI_PROVIDERS) {
    const copy = readPiCopy(d, provider);
    if (copy) {
      copies.push({ ...copy, file: path, link: { kind: 'pi-auth', location: path }, suggestedName: null });
    }
  }
  for (const [key, entry] of Object.entries(d.doc)) {
    if (copies.some((c) => c.provider === key)) continue;
    const type = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).type : undefined;
    notes.push(
      `${path}: ${key} (${String(type ?? 'unknown')}) left in pi: clawkeep imports OAuth logins of ${PI_PROVIDERS.join(', ')}`,
    );
  }
  if (copies.length === 0) {
    throw sourceInvalid(
      path,
      PI_PROVIDERS.join(' or '),
      'an OAuth login ({type: "oauth", access, refresh, expires})',
    );
  }
  return {
    kind: 'pi',
    title: `pi (${path})`,
    copies,
    notes,
    archive: async (moved, now) => [
      await detachJson(path, now, (doc) => {
        for (const c of moved) delete doc[c.provider];
        return Object.keys(doc).length > 0 ? doc : null;
      }),
    ],
  };
}
