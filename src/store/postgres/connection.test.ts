import { describe, expect, it } from 'vitest';
import { clientConfig, isPostgresUrl, redactUrl } from './connection.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://ck:s3cret-pw@db.example:5432/clawkeep', 'postgres://ck:***@db.example:5432/clawkeep'],
    ['postgresql://ck@db.example/clawkeep', 'postgresql://ck@db.example/clawkeep'],
    [
      'postgres://db.example/clawkeep?password=s3cret-pw&sslmode=require',
      'postgres://db.example/clawkeep?password=***&sslmode=require',
    ],
  ])('%s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
    expect(redactUrl(url)).not.toContain('s3cret');
  });
});

describe('isPostgresUrl', () => {
  it.each([
    ['postgres://h/db', true],
    ['postgresql://h/db', true],
    ['/var/lib/clawkeep.sqlite', false],
    ['mysql://h/db', false],
  ])('%s → %s', (url, want) => expect(isPostgresUrl(url)).toBe(want));
});

describe('clientConfig', () => {
  it('keeps the URL password, else resolves one lazily (passwordFile, PGPASSFILE)', () => {
    expect(clientConfig({ url: 'postgres://u:pw@h:5433/d' })).toMatchObject({
      host: 'h',
      port: 5433,
      user: 'u',
      password: 'pw',
      database: 'd',
      application_name: 'clawkeep',
    });
    expect(typeof clientConfig({ url: 'postgres://u@h/d', passwordFile: '/nonexistent' }).password).toBe(
      'function',
    );
  });

  it('names a malformed URL without its password', () => {
    let err: unknown;
    try {
      clientConfig({ url: 'postgres://u:s3cret-pw@h:notaport/d' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'config_invalid' });
    expect(JSON.stringify({ m: (err as Error).message, j: err })).not.toContain('s3cret');
  });
});
