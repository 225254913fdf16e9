import { readFile, stat } from 'node:fs/promises';
import { ClawkeepError } from '../errors.js';
import { replaceFileAtomically } from '../util/files.js';
import { jsonErrorPosition } from '../util/json-error.js';
import { typeName } from '../util/type-name.js';

/** A JSON document as read from another tool's file, with what is needed to write it back alike. */
export interface JsonDoc {
  path: string;
  doc: Record<string, unknown>;
  /** Permission bits of the file (0600 for files clawkeep creates). */
  mode: number;
  mtimeMs: number;
  indent: number;
  trailingNewline: boolean;
}

/** The error for a malformed source: names the file and the field, never a value. */
export function sourceInvalid(path: string, field: string, expected: string): ClawkeepError {
  return new ClawkeepError('source_invalid', `${path}: ${field}: expected ${expected}`, {
    details: { path, field },
  });
}

/** Reads a JSON object file; null when the file does not exist. */
export async function readJsonDoc(path: string): Promise<JsonDoc | null> {
  let text: string;
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ClawkeepError('source_invalid', `${path}: cannot read: ${(err as Error).message}`, {
      cause: err,
      details: { path },
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ClawkeepError('source_invalid', `${path}: not valid JSON (${jsonErrorPosition(text)})`, {
      details: { path },
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw sourceInvalid(path, '(root)', 'a JSON object');
  const indent = /^\{\s*\n( +)"/.exec(text)?.[1]?.length ?? (text.includes('\n') ? 2 : 0);
  return {
    path,
    doc: doc as Record<string, unknown>,
    mode: Number(st.mode) & 0o777,
    mtimeMs: Math.floor(Number(st.mtimeMs)),
    indent,
    trailingNewline: text.endsWith('\n'),
  };
}

/**
 * Writes the document back atomically (temp file, fsync, rename) with the file's layout, and its mode
 * minus any group/other access: a file holding tokens is never left readable by others (0644 → 0600).
 * The temp file carries clawkeep's marker and pid, so a crash's leftover is swept by the next run.
 */
export async function writeJsonDoc(d: Omit<JsonDoc, 'mtimeMs'>): Promise<void> {
  const text = JSON.stringify(d.doc, null, d.indent || undefined) + (d.trailingNewline ? '\n' : '');
  await replaceFileAtomically(d.path, text, d.mode & 0o700);
}

/** A nested object field, or a `source_invalid` error naming it. */
export function objectField(
  path: string,
  parent: Record<string, unknown>,
  key: string,
  label = key,
): Record<string, unknown> {
  const v = parent[key];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw sourceInvalid(path, label, 'an object');
  return v as Record<string, unknown>;
}

export function stringField(path: string, parent: Record<string, unknown>, key: string, label = key): string {
  const v = parent[key];
  if (typeof v !== 'string' || v.length === 0) throw sourceInvalid(path, label, 'a non-empty string');
  return v;
}

/** A string field that may be absent (or null); present with another type it is reported, not ignored. */
export function optionalString(
  path: string,
  parent: Record<string, unknown>,
  key: string,
  label = key,
): string | null {
  const v = parent[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw sourceInvalid(path, label, `a string, found ${typeName(v)}`);
  return v.length > 0 ? v : null;
}
