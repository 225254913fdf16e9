import { ClawkeepError } from '../errors.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { openclaw } from './openclaw.js';
import { opencode } from './opencode.js';
import { pi } from './pi.js';
import { type ClientConnector, CONNECT_CLIENT_IDS, type ConnectClientId } from './types.js';

const CONNECTORS: ReadonlyMap<ConnectClientId, ClientConnector> = new Map(
  [codex, claudeCode, opencode, pi, openclaw].map((c) => [c.id, c]),
);

/** The connector for `id`, or a usage error listing the known clients. */
export function connectorFor(id: string): ClientConnector {
  const found = CONNECTORS.get(id as ConnectClientId);
  if (!found) {
    throw new ClawkeepError('usage', `unknown client "${id}": use one of ${CONNECT_CLIENT_IDS.join(', ')}`, {
      details: { client: id },
    });
  }
  return found;
}

export function listConnectors(): ClientConnector[] {
  return [...CONNECTORS.values()];
}
