import { readFile, unlink } from 'node:fs/promises';
import { readJsonDoc, sourceInvalid, writeJsonDoc } from '../linked/json-file.js';
import { writeNewPrivateFile } from '../util/files.js';

/** Where `--move` keeps the original of a source file (mode 0600, never overwritten). */
export function backupPathFor(path: string, now: number): string {
  return `${path}.clawkeep-import.${now}.bak`;
}

/**
 * `--move` for a JSON source: writes the original as a 0600 backup next to it, then removes the
 * imported credential with `strip` (returning null deletes the file: nothing else was in it).
 * Returns a line describing what happened.
 */
export async function detachJson(
  path: string,
  now: number,
  strip: (doc: Record<string, unknown>) => Record<string, unknown> | null,
): Promise<string> {
  const original = await readFile(path, 'utf8');
  const d = await readJsonDoc(path);
  if (!d) throw sourceInvalid(path, '(file)', 'the file that was just imported (it disappeared)');
  const backup = backupPathFor(path, now);
  writeNewPrivateFile(backup, original);
  const next = strip(d.doc);
  if (next === null) {
    await unlink(path);
    return `${path} archived to ${backup} (0600) and removed`;
  }
  await writeJsonDoc({ ...d, doc: next });
  return `${path}: imported login removed; original archived to ${backup} (0600)`;
}
