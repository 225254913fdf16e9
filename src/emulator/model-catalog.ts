/** The model ids the emulator lists (`GET /v1/models`); any model name is still served. */
const ANTHROPIC_MODELS = [
  { id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', created_at: '2026-06-01T00:00:00Z' },
  { id: 'claude-opus-4-7', display_name: 'Claude Opus 4.7', created_at: '2026-03-01T00:00:00Z' },
  { id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-02-01T00:00:00Z' },
  { id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
] as const;

const OPENAI_MODELS = [
  { id: 'gpt-5.5', created: 1_777_000_000 },
  { id: 'gpt-5.4', created: 1_772_000_000 },
  { id: 'gpt-5.4-mini', created: 1_772_000_000 },
  { id: 'gpt-5.3-codex', created: 1_770_000_000 },
  { id: 'gpt-5.1-codex', created: 1_762_000_000 },
] as const;

/** Anthropic's `GET /v1/models` page (everything fits in one). */
export function anthropicModelList() {
  const data = ANTHROPIC_MODELS.map((m) => ({ type: 'model', ...m }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** OpenAI's `GET /v1/models` list. */
export function openaiModelList() {
  return {
    object: 'list',
    data: OPENAI_MODELS.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: 'openai' })),
  };
}
