import { join } from 'node:path';
import type { ClientConnector } from './types.js';

/**
 * Claude Code (`@anthropic-ai/claude-code`): the `env` block of its user `settings.json` sets
 * `ANTHROPIC_BASE_URL` (the gateway root; Claude Code appends `/v1/messages`) and
 * `ANTHROPIC_AUTH_TOKEN` (sent as `Authorization: Bearer`).
 */
export const claudeCode: ClientConnector = {
  id: 'claude-code',
  title: 'Claude Code',
  format: 'json',
  apis: ['messages'],
  configPath: (env, userHome) => join(env.CLAUDE_CONFIG_DIR || join(userHome, '.claude'), 'settings.json'),
  settings: (o) => [
    { path: ['env', 'ANTHROPIC_BASE_URL'], value: o.gatewayUrl },
    { path: ['env', 'ANTHROPIC_AUTH_TOKEN'], value: o.key },
    ...(o.model ? [{ path: ['env', 'ANTHROPIC_MODEL'], value: o.model }] : []),
  ],
  usage: () => 'run: claude   (or claude -p "…"); its model calls now go to the clawkeep gateway',
};
