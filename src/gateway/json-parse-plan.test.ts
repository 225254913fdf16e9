import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleJson, planJson } from './json-parse-plan.js';

/** JSON.parse by plan and pieces; 'invalid' where the plan or a piece refuses the text. */
async function viaPlan(text: string, chunk: number): Promise<unknown> {
  const body = Buffer.from(text);
  const plan = planJson(body, chunk);
  if (!plan) return 'invalid';
  try {
    return { value: await assembleJson(body, plan, 1) };
  } catch {
    return 'invalid';
  }
}

function viaParse(text: string): unknown {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return 'invalid';
  }
}

/** Equal values with equal key order (toEqual alone ignores order). */
async function expectSame(text: string, chunk: number): Promise<void> {
  const want = viaParse(text);
  const got = await viaPlan(text, chunk);
  expect(got).toEqual(want);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
}

const spaced = (v: unknown, indent: number) => JSON.stringify(v, null, indent);

describe('planJson + assembleJson equal JSON.parse', () => {
  it('for any JSON value, pretty or compact, at any piece size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 200 }),
        async (v, indent, chunk) => expectSame(spaced(v, indent), chunk),
      ),
      { numRuns: 2000 },
    );
  });

  it('for any corruption of a JSON text (accepts exactly what JSON.parse accepts)', async () => {
    const junk = fc.constantFrom(
      ',',
      ':',
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      ' ',
      'x',
      '1',
      'e',
      '\n',
      '\u0001',
      '\u00e9',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(2), junk), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 64 }),
        async (v, edits, chunk) => {
          let text = spaced(v, 1);
          for (const [at, del, s] of edits) {
            const p = at % (text.length + 1);
            text = text.slice(0, p) + s + text.slice(p + del);
          }
          await expectSame(text, chunk);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['a __proto__ key stays an own property', '{"__proto__":{"x":1},"a":[1,2,3,4,5,6,7,8,9]}'],
    [
      'a duplicate key keeps the last value at the first position',
      '{"a":[1,2,3,4,5,6],"b":1,"a":{"c":[7,8,9,10]}}',
    ],
    ['integer-like keys', '{"b":1,"2":[1,2,3,4,5,6,7],"1":0}'],
    ['a trailing comma', '{"a":[1,2,3,4,5,6,7,8],}'],
    ['a missing comma after a large member', '{"a":[1,2,3,4,5,6,7,8] "b":1}'],
    ['text after the root', '{"a":[1,2,3,4,5,6,7,8]} x'],
    ['an unclosed root', '{"a":[1,2,3,4,5,6,7,8]'],
    ['a BOM', '\ufeff{"a":1}'],
    ['a bare root', '  12345  '],
    ['a multi-byte text split at pieces', `{"a":["é€😀","é€😀","é€😀","é€😀"],"ü":"€"}`],
  ])('%s', async (_name, text) => {
    for (const chunk of [1, 4, 16, 1024]) await expectSame(text, chunk);
  });
});
