import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClawkeepError } from '../errors.js';
import { ioRuleFor, isStoreIoError, toStoreIoError } from './io-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-ioerr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('I/O failures map to clawkeep codes with a hint', () => {
  it.each([
    ['SQLITE_FULL', 'store_full', /disk is full/],
    ['ENOSPC', 'store_full', /disk is full/],
    ['EDQUOT', 'store_full', /quota/],
    ['SQLITE_IOERR', 'store_io', /I\/O error/],
    ['SQLITE_IOERR_WRITE', 'store_io', /I\/O error/],
    ['SQLITE_IOERR_FSYNC', 'store_io', /I\/O error/],
    ['EIO', 'store_io', /I\/O error/],
    ['SQLITE_BUSY', 'store_busy', /another process holds the store lock/],
    ['SQLITE_BUSY_SNAPSHOT', 'store_busy', /lock/],
    ['SQLITE_READONLY', 'store_readonly', /read-only/],
    ['SQLITE_READONLY_DBMOVED', 'store_readonly', /read-only/],
    ['EROFS', 'store_readonly', /file system is read-only/],
    ['EACCES', 'store_denied', /permission denied/],
    ['EPERM', 'store_denied', /not permitted/],
  ])('%s → %s', (sys, code, what) => {
    const raw = Object.assign(new Error(`driver said ${sys}`), { code: sys });
    const err = toStoreIoError(raw, join(dir, 'clawkeep.sqlite'), 'write the store');
    expect(err).toBeInstanceOf(ClawkeepError);
    const e = err as ClawkeepError;
    expect(e.code).toBe(code);
    expect(isStoreIoError(e)).toBe(true);
    expect(e.message).toMatch(what);
    expect(e.message).toContain(`(${sys}). Fix: `);
    expect(e.message).toContain(dir);
    expect(e.message).not.toMatch(/\n\s+at /);
    expect(e.details).toMatchObject({ errno: sys, fix: expect.any(String) });
    expect(e.cause).toBe(raw);
  });

  it.each([['SQLITE_CORRUPT'], ['SQLITE_CONSTRAINT'], ['ENOENT'], [undefined]])(
    '%s is not an I/O condition and passes through',
    (sys) => {
      const raw = Object.assign(new Error('x'), sys ? { code: sys } : {});
      expect(toStoreIoError(raw, join(dir, 'f'), 'write')).toBe(raw);
      expect(ioRuleFor(sys)).toBeNull();
    },
  );

  it('leaves a clawkeep error as it is', () => {
    const e = new ClawkeepError('profile_exists', 'x');
    expect(toStoreIoError(e, dir, 'write')).toBe(e);
    expect(isStoreIoError(e)).toBe(false);
  });
});
