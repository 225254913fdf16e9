import { join } from 'node:path';
import type { ClientApi, ClientConnector } from './types.js';

export const OPENCLAW_PROVIDER_ID = 'clawkeep';

/** Path of the OpenClaw config file of a state dir. */
export function openclawConfigPath(stateDir: string): string {
  return join(stateDir, 'openclaw.json');
}

const API: Record<ClientApi, string> = {
  chat: 'openai-completions',
  responses: 'openai-responses',
  messages: 'anthropic-messages',
};

/**
 * OpenClaw: a custom provider `models.providers.clawkeep` in `<state dir>/openclaw.json`, made the
 * agents' primary model. `import openclaw --configure` writes the same settings (chat API, model `default`).
 */
export const openclaw: ClientConnector = {
  id: 'openclaw',
  title: 'OpenClaw',
  format: 'json',
  apis: ['chat', 'messages', 'responses'],
  configPath: (env, userHome) => openclawConfigPath(env.OPENCLAW_STATE_DIR || join(userHome, '.openclaw')),
  settings: (o) => [
    {
      path: ['models', 'providers', OPENCLAW_PROVIDER_ID],
      value: {
        baseUrl: o.api === 'messages' ? o.gatewayUrl : `${o.gatewayUrl}/v1`,
        apiKey: o.key,
        api: API[o.api],
        models: o.models.map((id) => ({ id, name: `${id} (clawkeep)` })),
      },
    },
    { path: ['agents', 'defaults', 'model', 'primary'], value: `${OPENCLAW_PROVIDER_ID}/${o.models[0]}` },
  ],
  usage: () => 'run: openclaw agent --message "…"  (its agents now call the clawkeep gateway)',
};
