import { isDeepStrictEqual } from 'node:util';
import type { Setting } from './types.js';

/** What a key path held before `connect` set it: `had: false` means it was absent. */
export interface PreviousValue {
  path: string[];
  had: boolean;
  value?: unknown;
}

type Doc = Record<string, unknown>;

function isPlainObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The value at `path`, or `{ found: false }`. */
export function getAt(doc: Doc, path: readonly string[]): { found: boolean; value?: unknown } {
  let node: unknown = doc;
  for (const key of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return { found: false };
    node = node[key];
  }
  return { found: true, value: node };
}

/** Sets `path` to `value`, creating objects on the way; a non-object on the way is replaced. */
function setAt(doc: Doc, path: readonly string[], value: unknown): void {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isPlainObject(next)) node = next;
    else {
      const fresh: Doc = {};
      node[key] = fresh;
      node = fresh;
    }
  }
  node[path[path.length - 1] as string] = value;
}

/** Removes `path`, then every object on the way that this left empty. */
function deleteAt(doc: Doc, path: readonly string[]): void {
  const parents: Array<[Doc, string]> = [];
  let node = doc;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) return;
    parents.push([node, key]);
    node = next;
  }
  delete node[path[path.length - 1] as string];
  for (const [parent, key] of parents.reverse()) {
    const child = parent[key];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parent[key];
    else break;
  }
}

/** Applies `settings` to `doc` in place and returns what each path held before. */
export function applySettings(doc: Doc, settings: readonly Setting[]): PreviousValue[] {
  return settings.map(({ path, value }) => {
    const before = getAt(doc, path);
    setAt(doc, path, structuredClone(value));
    return before.found
      ? { path: [...path], had: true, value: structuredClone(before.value) }
      : { path: [...path], had: false };
  });
}

/**
 * Puts back what `applySettings` replaced, for each path that still holds what clawkeep wrote; a
 * path the user changed since is left alone and returned in `kept`.
 */
export function revertSettings(
  doc: Doc,
  written: readonly Setting[],
  previous: readonly PreviousValue[],
): { kept: string[] } {
  const kept: string[] = [];
  written.forEach(({ path, value }, i) => {
    const prev = previous[i];
    if (!prev) return;
    const now = getAt(doc, path);
    if (!now.found || !isDeepStrictEqual(now.value, value)) {
      kept.push(path.join('.'));
      return;
    }
    if (prev.had) setAt(doc, path, prev.value);
    else deleteAt(doc, path);
  });
  return { kept };
}
