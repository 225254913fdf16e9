import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readJsonDoc, writeJsonDoc } from '../linked/json-file.js';
import { writeBackupFile } from '../util/files.js';
import type { FixResult } from './types.js';

type Doc = Record<string, unknown>;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Rewrites OpenClaw's `openclaw.json` as `plan` says, read fresh: a backup of the previous text
 * (`<path>.<tag>.<ms>.bak`, 0600) first, then an atomic replace, only if the file did not change
 * since it was read (OpenClaw or a person may be editing it). `plan` returns null when nothing is left to do.
 */
export async function rewriteOpenClawConfig(
  path: string,
  o: { tag: string; now: number; nothingLeft: string },
  plan: (doc: Doc) => { config: Doc; changes: string[] } | null,
): Promise<FixResult> {
  const before = readFileSync(path, 'utf8');
  const d = await readJsonDoc(path);
  const next = d && plan(d.doc);
  if (!d || !next) return { status: 'unchanged', message: o.nothingLeft };
  const backup = writeBackupFile(`${path}.${o.tag}`, o.now, before);
  if (sha(readFileSync(path, 'utf8')) !== sha(before))
    return {
      status: 'skipped',
      message: `${path} changed while being repaired; left alone (copy at ${backup})`,
    };
  await writeJsonDoc({ ...d, doc: next.config });
  return {
    status: 'fixed',
    message: `rewrote ${path}: ${next.changes.join('; ')}; previous file kept in ${backup}`,
  };
}

/** The config as an object, its text when it is not plain JSON, or null when there is none. */
export function readOpenClawConfig(path: string): Doc | string | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const doc = JSON.parse(text) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Doc) : text;
  } catch {
    return text;
  }
}
