import type { ModelCatalog } from './types.js';

/**
 * Model ids the subscription and API providers serve. The ids are what model pickers show; `serves`
 * decides where a bare model name a client sends (Codex CLI's, Claude Code's defaults) is routed.
 */

/** OpenAI models: GPT, the o-series and Codex models (ChatGPT login first, then API keys). */
export const OPENAI_MODELS: ModelCatalog = {
  ids: [
    'gpt-5.2-codex',
    'gpt-5.2',
    'gpt-5.1-codex-max',
    'gpt-5.1-codex',
    'gpt-5.1-codex-mini',
    'gpt-5.1',
    'gpt-5-codex',
    'gpt-5',
    'gpt-5-mini',
  ],
  serves: (model) => /^(gpt-|o\d|chatgpt-|codex-)/.test(model) || model.includes('codex'),
};

/** Anthropic's Claude models. */
export const CLAUDE_MODELS: ModelCatalog = {
  ids: ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-sonnet-4-0'],
  serves: (model) => model.startsWith('claude-'),
};
