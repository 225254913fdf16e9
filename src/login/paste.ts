/**
 * What a user pasted: a full redirect URL, a query string, Anthropic's `code#state`, or a bare code.
 * Returns the code and, when the input carried one, the state to check.
 */
export function parsePastedAuthorization(input: string): { code: string | null; state: string | null } {
  const value = input.trim();
  if (!value) return { code: null, state: null };
  if (URL.canParse(value)) {
    const q = new URL(value).searchParams;
    return { code: q.get('code'), state: q.get('state') };
  }
  if (value.includes('code=')) {
    const q = new URLSearchParams(value.replace(/^[?#]/, ''));
    return { code: q.get('code'), state: q.get('state') };
  }
  if (value.includes('#')) {
    const [code = '', state = ''] = value.split('#', 2);
    return { code: code || null, state: state || null };
  }
  return { code: value, state: null };
}
