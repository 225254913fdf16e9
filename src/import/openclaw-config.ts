import { existsSync, readFileSync } from 'node:fs';
import { OPENCLAW_PROVIDER_ID, openclaw, openclawConfigPath } from '../clients/openclaw.js';
import { applySettings } from '../clients/settings-edit.js';
import { ClawkeepError } from '../errors.js';
import { readJsonDoc, writeJsonDoc } from '../linked/json-file.js';
import { writeNewPrivateFile } from '../util/files.js';
import { invokedAs } from '../util/invoked-as.js';
import { backupPathFor } from './detach.js';

export { OPENCLAW_PROVIDER_ID, openclawConfigPath };
export const CLIENT_KEY_PLACEHOLDER = `<client key: run \`${invokedAs()} clients add openclaw\`>`;

/** The settings `openclawGatewayConfig` returns, as OpenClaw reads them. */
export interface OpenClawGatewayConfig {
  models: { providers: Record<string, unknown> };
  agents: { defaults: { model: { primary: string } } };
}

/**
 * The OpenClaw config (`<state>/openclaw.json`, `models.providers`) that sends its agents' model calls
 * to the clawkeep gateway with a client key, so they stop refreshing provider tokens themselves.
 * `default` is the client's chain on the gateway. Built from the `connect openclaw` connector.
 */
export function openclawGatewayConfig(gatewayUrl: string, apiKey: string): OpenClawGatewayConfig {
  const doc: Record<string, unknown> = {};
  applySettings(
    doc,
    openclaw.settings({
      gatewayUrl: gatewayUrl.replace(/\/+$/, ''),
      key: apiKey,
      models: ['default'],
      api: 'chat',
    }),
  );
  return doc as unknown as OpenClawGatewayConfig;
}

/** Throws unless the config can be merged safely: absent, or plain JSON (JSON5 comments are the user's to edit). */
export function checkOpenClawConfigWritable(path: string): void {
  if (!existsSync(path)) return;
  try {
    JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ClawkeepError(
      'usage',
      `${path} is not plain JSON (JSON5 comments?); not editing it. Add the printed config by hand`,
      { details: { path } },
    );
  }
}

/**
 * Merges the gateway provider into `openclaw.json` (a 0600 backup of the previous file first) and makes
 * it the agents' primary model; every other setting is kept. Returns the previous primary model, if any.
 */
export async function writeOpenClawConfig(
  path: string,
  patch: OpenClawGatewayConfig,
  now: number,
): Promise<{ backup: string | null; previousPrimary: string | null }> {
  checkOpenClawConfigWritable(path);
  const d = (await readJsonDoc(path)) ?? { path, doc: {}, mode: 0o600, indent: 2, trailingNewline: true };
  let backup: string | null = null;
  if (existsSync(path)) {
    backup = backupPathFor(path, now);
    writeNewPrivateFile(backup, readFileSync(path, 'utf8'));
  }
  const doc = d.doc;
  const obj = (parent: Record<string, unknown>, key: string): Record<string, unknown> => {
    const v = parent[key];
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    const fresh: Record<string, unknown> = {};
    parent[key] = fresh;
    return fresh;
  };
  Object.assign(obj(obj(doc, 'models'), 'providers'), patch.models.providers);
  const model = obj(obj(obj(doc, 'agents'), 'defaults'), 'model');
  const previousPrimary = typeof model.primary === 'string' ? model.primary : null;
  model.primary = patch.agents.defaults.model.primary;
  await writeJsonDoc({ ...d, doc });
  return { backup, previousPrimary };
}
