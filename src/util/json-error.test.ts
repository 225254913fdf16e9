import { describe, expect, it } from 'vitest';
import { firstJsonError, jsonErrorPosition } from './json-error.js';

describe('jsonErrorPosition: where, never what', () => {
  it.each([
    ['{"refresh": rt-fake-secret-abc}', 'at line 1, column 13'],
    ['{\n  "access": "a",\n  "refresh": 12x\n}', 'at line 3, column 16'],
    ['{"a":1', 'at the end (line 1, column 7): it is cut short'],
    ['', 'at the end (line 1, column 1): it is cut short'],
    ['{"a":"b\u0001"}', 'at line 1, column 8'],
    ['{"a":"\\q"}', 'at line 1, column 8'],
    ['{"a":1,}', 'at line 1, column 8'],
    ['[1,2] x', 'at line 1, column 7'],
    ["{'a':1}", 'at line 1, column 2'],
  ])('%j → %s', (text, want) => {
    expect(() => JSON.parse(text)).toThrow();
    const got = jsonErrorPosition(text);
    expect(got).toBe(want);
    expect(got).not.toContain('fake');
  });

  it.each([['{}'], ['[]'], ['{"a":[1,-2.5e3,true,false,null,"x\\n\\u00e9"]}'], [' 12 ']])(
    '%j is valid',
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(firstJsonError(text)).toBeNull();
    },
  );
});
