import { lstatSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir, replaceFileAtomicallySync } from '../util/files.js';
import { jsonErrorPosition } from '../util/json-error.js';
import { malformedField, parseProfileRecord } from './profile.js';
import type { FileProblem, LegacyFormat, OpenClawProfile, ReadResult, StoreRef } from './types.js';

export type JsonDocResult =
  | { ok: true; doc: Record<string, unknown>; text: string; mtimeMs: number }
  | { ok: false; problem: FileProblem };

/** Reads a JSON object from a regular file; every failure becomes a problem naming the path. */
export function readJsonObject(path: string): JsonDocResult {
  let text: string;
  let mtimeMs: number;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) {
      return problem(
        path,
        'not_regular',
        `${path} is not a regular file (symlink or special file); left alone`,
      );
    }
    mtimeMs = st.mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return problem(path, 'unreadable', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return problem(path, 'invalid_json', `${path} is not valid JSON (${jsonErrorPosition(text)})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return problem(path, 'wrong_shape', `${path} does not hold a JSON object`);
  }
  return { ok: true, doc: doc as Record<string, unknown>, text, mtimeMs: Math.trunc(mtimeMs) };
}

function problem(
  path: string,
  code: FileProblem['code'],
  message: string,
): { ok: false; problem: FileProblem } {
  return { ok: false, problem: { path, code, message } };
}

/**
 * Profiles of a JSON document. `{profiles: {...}}` is the store format of every JSON era (and of the
 * `*.bak` archives); a document without `profiles` is the legacy `auth.json` / `oauth.json` map of
 * provider → credential, which OpenClaw imports as `<provider>:default`.
 */
export function profilesOfJsonDocument(
  doc: Record<string, unknown>,
  format: LegacyFormat | 'store',
): OpenClawProfile[] | string {
  if (format === 'auth-state') return [];
  const out: OpenClawProfile[] = [];
  if ('profiles' in doc) {
    const profiles = doc.profiles;
    if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles))
      return '"profiles" is not an object';
    for (const [id, raw] of Object.entries(profiles)) {
      const p = parseProfileRecord(id, raw);
      if (!p) return `profile ${id} is not an object`;
      const bad = malformedField(p.raw);
      if (bad) return `profiles.${id}.${bad}`;
      out.push(p);
    }
  } else if (format === 'store' || format === 'auth-profiles') {
    return 'no "profiles" object';
  } else {
    for (const [provider, raw] of Object.entries(doc)) {
      if (provider === 'version') continue;
      const p = parseProfileRecord(`${provider}:default`, raw, provider);
      if (!p) return `entry ${provider} is not an object`;
      const bad = malformedField(p.raw);
      if (bad) return `${provider}.${bad}`;
      if (format === 'oauth-json' && p.type === 'unknown') p.type = 'oauth';
      out.push(p);
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reads a JSON store or legacy file into profiles. */
export function readJsonStore(store: StoreRef & { kind: 'json' | 'legacy' }): ReadResult {
  const r = readJsonObject(store.path);
  if (!r.ok) return r;
  const format = store.kind === 'json' ? 'store' : store.format;
  const profiles = profilesOfJsonDocument(r.doc, format);
  if (typeof profiles === 'string') {
    return problem(store.path, 'wrong_shape', `${store.path}: ${profiles}`);
  }
  return { ok: true, contents: { store, profiles, updatedAt: r.mtimeMs } };
}

/** OpenClaw's own serialisation: two-space JSON and a trailing newline. */
export function formatJsonDocument(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Replaces a JSON file atomically (temp file + fsync + rename), 0600. */
export function writeJsonDocument(path: string, doc: unknown): void {
  replaceFileAtomicallySync(path, formatJsonDocument(doc), 0o600);
  fsyncDir(dirname(path));
}
