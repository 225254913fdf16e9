import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatPath, invalidField, parseBody } from './validate.js';

describe('validate', () => {
  it('formats paths like the APIs document them', () => {
    expect(formatPath(['messages', 2, 'content', 0, 'type'])).toBe('messages[2].content[0].type');
    expect(formatPath([])).toBe('(body)');
  });

  it('reports the branch of a union that got furthest, and the types when none did', () => {
    const schema = z.object({ content: z.union([z.string(), z.array(z.object({ text: z.string() }))]) });
    expect(() => parseBody(schema, { content: [{}] })).toThrow('content[0].text: required (string)');
    expect(() => parseBody(schema, { content: 5 })).toThrow('content: expected string | array');
    expect(() => parseBody(z.object({ n: z.number().int() }), { n: 1.5 })).toThrow('n: expected integer');
  });

  it('raises usage errors for cross-field rules', () => {
    expect(() => invalidField(['a', 0], 'nope')).toThrow(
      expect.objectContaining({ code: 'usage', message: 'a[0]: nope' }),
    );
  });
});
