import { OPENAI_MODELS } from './model-catalog.js';
import type { ProviderDescriptor } from './types.js';

/** OpenAI platform API keys. */
export const openai: ProviderDescriptor = {
  id: 'openai',
  title: 'OpenAI API (key)',
  baseUrl: 'https://api.openai.com/v1',
  models: OPENAI_MODELS,
  oauth: null,
};

/** Any server speaking the OpenAI API with a key; its base URL comes from config or env. */
export const openaiCompatible: ProviderDescriptor = {
  id: 'openai-compatible',
  title: 'OpenAI-compatible server (key)',
  baseUrl: null,
  models: null,
  oauth: null,
};
