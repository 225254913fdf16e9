/** Helpers shared by the formats for values that every API spells differently. */

/** Tool arguments as an object for APIs that carry them parsed (Anthropic `input`); `{}` when unusable. */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The media type and base64 payload of a `data:` URL, or null for any other URL. */
export function splitDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1] ?? '', data: match[2] ?? '' } : null;
}

/** Joins system texts the way a single system prompt reads best. */
export function joinSystem(parts: readonly string[]): string | null {
  const kept = parts.filter((p) => p !== '');
  return kept.length > 0 ? kept.join('\n\n') : null;
}

/** Stands in for an image inside a tool result, which the neutral representation carries as text only. */
export const IMAGE_OMITTED = '[image omitted]';
