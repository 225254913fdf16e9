/** `a number`, `an array`, `null`…: the type of a value for messages, never the value (it may be a token). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a non-finite number';
  return `a ${typeof v}`;
}
