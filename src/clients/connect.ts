import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClawkeepError } from '../errors.js';
import { createClient } from '../gateway/clients.js';
import type { Store } from '../store/types.js';
import { replaceFileAtomically, writeBackupFile, writeNewPrivateFile } from '../util/files.js';
import { invokedAs, quoteArg } from '../util/invoked-as.js';
import { formatConfig, parseConfig } from './config-text.js';
import { connectRecordPath } from './connect-records.js';
import { applySettings, type PreviousValue, revertSettings } from './settings-edit.js';
import type { ClientApi, ClientConnector, ConnectClientId, Setting } from './types.js';

/** What `connect` records in `<clawkeep home>/connected/<client>.json` (0600) so `--undo` can restore. */
export interface ConnectRecord {
  client: ConnectClientId;
  /** The gateway client whose key the config carries; revoked by `--undo`. */
  clientName: string;
  path: string;
  /** Backup of the file as it was, or null when `connect` created it. */
  backup: string | null;
  /** Permission bits of the file as it was (null when it did not exist). */
  mode: number | null;
  /** sha256 of the text `connect` wrote: an unchanged file is restored byte for byte. */
  writtenSha256: string;
  settings: Setting[];
  previous: PreviousValue[];
  connectedAt: number;
}

export interface ConnectInput {
  connector: ClientConnector;
  /** The config file to edit (default: the connector's, from the environment). */
  path: string;
  gatewayUrl: string;
  api?: ClientApi;
  model?: string;
  /** Extra model names to offer (chains), after the default. */
  extraModels?: readonly string[];
  /** Default chain of the new client key. */
  chain?: string | null;
  /** `--limits`: the client's limits reads go to the gateway too (Codex: `chatgpt_base_url`). */
  limits?: boolean;
  now?: number;
}

export interface ConnectResult {
  clientName: string;
  key: string;
  path: string;
  backup: string | null;
  record: ConnectRecord;
}

/** What `connect --print` shows: the settings, with a placeholder where the client key goes. */
export interface ConnectPreview {
  path: string;
  /** The settings as a document of their own, in the client's format. */
  snippet: string;
  /** The placeholder standing for the key: it names the command that creates one. */
  keyPlaceholder: string;
}

/** Where `connect` keeps its records inside the clawkeep home. */
export { connectRecordPath } from './connect-records.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ClawkeepError('usage', `${path}: cannot read: ${(err as Error).message}`, {
      details: { path },
    });
  }
}

async function freeClientName(store: Store, base: string): Promise<string> {
  const taken = new Set((await store.listClients()).map((c) => c.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

function resolveApi(connector: ClientConnector, api: ClientApi | undefined): ClientApi {
  const chosen = api ?? connector.apis[0];
  if (chosen === undefined || !connector.apis.includes(chosen)) {
    throw new ClawkeepError(
      'usage',
      `--api ${api}: ${connector.title} speaks ${connector.apis.join(' or ')} to the gateway`,
      { details: { client: connector.id } },
    );
  }
  return chosen;
}

/** The settings that point the client at the gateway with `key`. */
function settingsFor(input: ConnectInput, key: string): Setting[] {
  const firstModel = input.model ?? 'default';
  return input.connector.settings({
    gatewayUrl: input.gatewayUrl.replace(/\/+$/, ''),
    key,
    models: [firstModel, ...(input.extraModels ?? []).filter((m) => m !== firstModel)],
    api: resolveApi(input.connector, input.api),
    ...(input.model ? { model: input.model } : {}),
    ...(input.limits ? { limits: true } : {}),
  });
}

/**
 * `connect --print`: the settings `connectClient` would write, as a document of their own, with a
 * placeholder naming the command that creates a key. A preview creates no key and reads or writes
 * no file, so previewing first leaves nothing behind.
 */
export function previewConnect(input: ConnectInput): ConnectPreview {
  const chain = input.chain ? ` --chain ${quoteArg(input.chain)}` : '';
  // The key connect would create carries the agent's kind; one made by hand must too.
  const { id } = input.connector;
  const keyPlaceholder = `<client key: ${invokedAs()} clients add ${id} --kind ${id}${chain}>`;
  const doc = { doc: {}, indent: 2 };
  applySettings(doc.doc, settingsFor(input, keyPlaceholder));
  return { path: input.path, snippet: formatConfig(input.connector.format, doc), keyPlaceholder };
}

/**
 * Creates a client key and points the client's config at the gateway: the file is parsed first
 * (nothing is created for a file that cannot be edited), backed up (0600, never over an earlier
 * backup), written atomically with mode 0600 (it now holds a key), and recorded for `--undo`.
 */
export async function connectClient(store: Store, home: string, input: ConnectInput): Promise<ConnectResult> {
  const { connector, path } = input;
  const now = input.now ?? Date.now();
  const recordPath = connectRecordPath(home, connector.id);
  if (existsSync(recordPath)) {
    const prev = JSON.parse(readFileSync(recordPath, 'utf8')) as ConnectRecord;
    throw new ClawkeepError(
      'usage',
      `${connector.title} is already connected (${prev.path}, client ${prev.clientName}); undo that first: ${invokedAs()} connect ${connector.id} --undo`,
      { details: { client: connector.id } },
    );
  }
  resolveApi(connector, input.api);
  connector.checkConfigPath?.(path);
  const before = readText(path);
  const parsed = parseConfig(connector.format, path, before);

  const clientName = await freeClientName(store, connector.id);
  const { key } = await createClient(store, clientName, input.chain ?? null, now, { kind: connector.id });
  const settings = settingsFor(input, key);
  const previous = applySettings(parsed.doc, settings);
  const after = formatConfig(connector.format, parsed);
  const mode = before === null ? null : statSync(path).mode & 0o777;
  const backup = before === null ? null : writeBackupFile(path, now, before);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await replaceFileAtomically(path, after, 0o600);
  const record: ConnectRecord = {
    client: connector.id,
    clientName,
    path,
    backup,
    mode,
    writtenSha256: sha256(after),
    settings,
    previous,
    connectedAt: now,
  };
  writeNewPrivateFile(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  return { clientName, key, path, backup, record };
}

export interface UndoResult {
  path: string;
  /** How the file was put back. */
  action: 'restored' | 'reverted' | 'moved-aside' | 'missing';
  /** Backup of the file as it was before the undo, when one was made. */
  backup: string | null;
  /** Settings the user changed since `connect`: left as they are. */
  kept: string[];
  clientName: string;
  revoked: boolean;
}

/**
 * Undoes `connectClient`: a file unchanged since is restored from the backup byte for byte (or, when
 * `connect` created it, moved aside to a backup); a file edited since gets only clawkeep's settings
 * put back, after a backup of its current state. The client key is revoked and the record removed.
 */
export async function undoConnect(
  store: Store,
  home: string,
  client: ConnectClientId,
  connector: ClientConnector,
  now = Date.now(),
): Promise<UndoResult> {
  const recordPath = connectRecordPath(home, client);
  const recordText = readText(recordPath);
  if (recordText === null) {
    throw new ClawkeepError(
      'usage',
      `${connector.title} was not connected by clawkeep (no record at ${recordPath}); nothing to undo`,
      { details: { client } },
    );
  }
  const record = JSON.parse(recordText) as ConnectRecord;
  const { path } = record;
  const current = readText(path);
  let action: UndoResult['action'];
  let backup: string | null = null;
  let kept: string[] = [];
  if (current === null) {
    action = 'missing';
  } else if (sha256(current) === record.writtenSha256) {
    if (record.backup !== null) {
      const original = readText(record.backup);
      if (original === null) {
        throw new ClawkeepError('usage', `backup ${record.backup} is gone; cannot restore ${path}`, {
          details: { path, backup: record.backup },
        });
      }
      await replaceFileAtomically(path, original, record.mode ?? 0o600);
      action = 'restored';
    } else {
      backup = writeBackupFile(path, now, current);
      unlinkSync(path);
      action = 'moved-aside';
    }
  } else {
    const parsed = parseConfig(connector.format, path, current);
    kept = revertSettings(parsed.doc, record.settings, record.previous).kept;
    backup = writeBackupFile(path, now, current);
    await replaceFileAtomically(path, formatConfig(connector.format, parsed), statSync(path).mode & 0o777);
    action = 'reverted';
  }
  const revoked = (await store.removeClient(record.clientName, now)) !== null;
  unlinkSync(recordPath);
  return { path, action, backup, kept, clientName: record.clientName, revoked };
}
