import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/processes.js';

/**
 * docs/architecture.md is the one place the layer order is written: this reads it and holds the
 * sources to it. A folder imports only folders above it (and src/errors.ts).
 */
const SRC = join(ROOT, 'src');
const DOC = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
const LAYERS = [...DOC.matchAll(/^\d+\. `([a-z-]+)\/`:/gm)].map((m) => m[1]!);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

describe('architecture: the layers of docs/architecture.md', () => {
  it('names every top-level folder of src/, and only folders that exist', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...LAYERS].sort()).toEqual(folders);
  });

  it('no folder imports one listed after it (so there are no cycles)', () => {
    const rank = new Map(LAYERS.map((name, i) => [name, i]));
    const upward: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = folderOf(file);
      if (!rank.has(from)) continue; // src/errors.ts
      for (const m of readFileSync(file, 'utf8').matchAll(
        /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g,
      )) {
        const target = resolve(dirname(file), m[1]!);
        if (!target.startsWith(`${SRC}/`)) continue;
        const to = folderOf(target);
        if (to === from || !rank.has(to)) continue;
        if (rank.get(to)! > rank.get(from)!)
          upward.push(
            `${relative(ROOT, file)} imports ${to}/, listed after ${from}/ in docs/architecture.md`,
          );
      }
    }
    expect(upward).toEqual([]);
  });
});
