import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchLeftover, matchOwnTemp } from '../store/leftovers.js';
import { replaceFileAtomically, replaceFileAtomicallySync, tempPathFor } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tempPathFor', () => {
  it('names a temp file the leftover sweeps recognise as clawkeep’s, in the home and beside linked files', () => {
    const name = tempPathFor('/x/auth.json').slice('/x/'.length);
    expect(name).toMatch(new RegExp(`^auth\\.json\\.clawkeep\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    expect(matchOwnTemp(name)).toEqual({ kind: 'temp_file', pid: process.pid });
    expect(matchLeftover(name)).toEqual({ kind: 'temp_file', pid: process.pid });
  });
});

describe.each([
  ['replaceFileAtomically', (p: string, c: string, m: number) => replaceFileAtomically(p, c, m)],
  [
    'replaceFileAtomicallySync',
    async (p: string, c: string, m: number) => replaceFileAtomicallySync(p, c, m),
  ],
])('%s', (name, replace) => {
  const sub = join(dir, name);
  mkdirSync(sub);
  const onlyFiles = () => readdirSync(sub).sort();

  it('replaces the content with exactly the mode asked (0644 → 0600), leaving no temp file', async () => {
    const path = join(sub, 'auth.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o644);
    await replace(path, 'new', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(onlyFiles()).toEqual(['auth.json']);
  });

  it('replaces the target of a symbolic link and keeps the link', async () => {
    const real = join(sub, 'real.json');
    const link = join(sub, 'link.json');
    writeFileSync(real, 'old', { mode: 0o600 });
    symlinkSync(real, link);
    await replace(link, 'via link', 0o600);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('via link');
  });

  it('removes its temp file when the replace fails', async () => {
    const path = join(sub, 'is-a-dir');
    mkdirSync(path);
    await expect(replace(path, 'x', 0o600)).rejects.toThrow();
    expect(onlyFiles().filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('replaceFileAtomically', () => {
  it('keeps call order for writes to one file', async () => {
    const path = join(dir, 'ordered.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => replaceFileAtomically(path, String(i), 0o600)));
    expect(readFileSync(path, 'utf8')).toBe('19');
  });
});
