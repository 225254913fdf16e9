import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import { assertNoSymlinkBelow, fsyncDir, replaceFileAtomicallySync } from '../util/files.js';
import { sealedKeyId } from './crypto/token-cipher.js';
import type { TokenCodec } from './crypto/token-codec.js';
import { toStoreIoError } from './io-errors.js';
import type { RotatedTokens } from './types.js';

/** The journal's folder inside a clawkeep home, beside the store file. */
export const PENDING_DIR = 'pending-rotations';

/**
 * Bytes set aside before a refresh token is presented: room for the journal record and, once freed,
 * for the store commit (a handful of 4 KiB pages in the WAL), so a disk that fills up while the
 * provider answers cannot make us drop the rotated tokens.
 */
export const RESERVE_BYTES = 64 * 1024;

const RECORD_KIND = 'clawkeep-pending-rotation';

/** The file calls the journal makes; tests pass a wrapper that fails the Nth write. */
export type JournalIo = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'ftruncateSync'
  | 'readdirSync'
  | 'readFileSync'
  | 'mkdirSync'
>;

/** Rotated tokens the store has not taken yet, as kept on disk (0600) until it does. */
export interface PendingRecord {
  version: 1;
  kind: typeof RECORD_KIND;
  profileId: string;
  /** The row's generation when its refresh token was presented. */
  generation: number;
  /** Fingerprint of the presented (now spent) refresh token; the token itself is not kept. */
  presentedFp: string;
  refreshFp: string;
  owner: string;
  at: number;
  tokens: RotatedTokens;
}

export interface PendingFile {
  path: string;
  record: PendingRecord;
}

export function pendingRotationsDir(home: string): string {
  return join(home, PENDING_DIR);
}

/** The journal beside a store file (`<dir>/pending-rotations`); none for stores that are not a local file. */
export function journalDirFor(location: string): string | null {
  return isAbsolute(location) ? join(dirname(location), PENDING_DIR) : null;
}

/** A journal file that is not a record clawkeep can use; `hint` says what to do when it is known. */
export interface UnreadablePending {
  path: string;
  message: string;
  hint?: string;
}

/** `openai-codex:default` → `openai-codex_default` (the record inside keeps the real id). */
function fileStem(profileId: string): string {
  return profileId.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The pending-rotation journal: a folder of small 0600 files, one per rotation whose commit is in
 * flight or failed. Written before the store, removed once the store holds the tokens. While the
 * store's tokens are encrypted, the journaled ones are sealed with the same key (the reservation
 * carries its id) and opened on reading with `codec`.
 */
export class RotationJournal {
  readonly dir: string;
  #io: JournalIo;
  #codec: TokenCodec | null;

  constructor(dir: string, io: JournalIo = nodeFs, codec: TokenCodec | null = null) {
    this.dir = dir;
    this.#io = io;
    this.#codec = codec;
  }

  /**
   * Sets aside RESERVE_BYTES in a new file before a refresh token is presented. Throws a store I/O
   * error (`store_full`, `store_readonly`…) when it cannot: then the token must not be presented.
   */
  reserve(profileId: string): Reservation {
    const name = `${fileStem(profileId)}.${process.pid}-${randomBytes(4).toString('hex')}`;
    const path = join(this.dir, `${name}.reserve`);
    let fd: number | undefined;
    assertNoSymlinkBelow(dirname(this.dir), this.dir);
    try {
      this.#io.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fd = this.#io.openSync(path, 'wx', 0o600);
      writeFully(this.#io, fd, Buffer.alloc(RESERVE_BYTES, 0x20));
      this.#io.fsyncSync(fd);
    } catch (err) {
      if (fd !== undefined) {
        this.#quietly(() => this.#io.closeSync(fd!));
        this.#quietly(() => this.#io.unlinkSync(path));
      }
      throw toStoreIoError(err, path, 'reserve space for a rotation in', this.dir);
    }
    return new Reservation(this.#io, fd, path, join(this.dir, `${name}.json`), this.dir, this.#codec);
  }

  /** Pending records (optionally of one profile), tokens opened, and the files that could not be read as one. */
  list(profileId?: string): { files: PendingFile[]; unreadable: UnreadablePending[] } {
    const files: PendingFile[] = [];
    const unreadable: UnreadablePending[] = [];
    let names: string[];
    try {
      names = this.#io.readdirSync(this.dir) as string[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files, unreadable };
      throw toStoreIoError(err, this.dir, 'read the pending rotations in', this.dir);
    }
    const stem = profileId === undefined ? null : `${fileStem(profileId)}.`;
    for (const name of names.sort()) {
      if (!name.endsWith('.json') || (stem !== null && !name.startsWith(stem))) continue;
      const path = join(this.dir, name);
      const parsed = this.#read(path);
      if ('message' in parsed) unreadable.push({ path, ...parsed });
      else if (profileId === undefined || parsed.record.profileId === profileId) files.push(parsed);
    }
    return { files, unreadable };
  }

  /** Reservation files (no tokens, only padding) with the pid that made them. */
  listReservations(): Array<{ path: string; pid: number | null }> {
    let names: string[];
    try {
      names = this.#io.readdirSync(this.dir) as string[];
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith('.reserve'))
      .map((n) => {
        const m = /\.(\d+)-[0-9a-f]+\.reserve$/.exec(n);
        return { path: join(this.dir, n), pid: m ? Number(m[1]) : null };
      });
  }

  /** Removes a settled journal file; a file already gone is fine. */
  remove(path: string): void {
    try {
      this.#io.unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toStoreIoError(err, path, 'remove');
    }
  }

  /**
   * Re-seals every readable record with `keyId` (null: plaintext), each file replaced atomically.
   * Returns the files changed.
   */
  reseal(keyId: string | null): string[] {
    const changed: string[] = [];
    for (const f of this.list().files) {
      const text = JSON.stringify(sealRecord(this.#codec, keyId, f.record));
      if (text === (this.#io.readFileSync(f.path, 'utf8') as string).trimEnd()) continue;
      // A marked temp name: a crash leaves a file the next run and the doctor remove.
      replaceFileAtomicallySync(f.path, text, 0o600);
      changed.push(f.path);
    }
    return changed;
  }

  /** Key ids the journal's files are sealed with (records that could not be opened included). */
  keyIdsInUse(): Set<string> {
    const ids = new Set<string>();
    let names: string[];
    try {
      names = this.#io.readdirSync(this.dir) as string[];
    } catch {
      return ids;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const v = JSON.parse(this.#io.readFileSync(join(this.dir, name), 'utf8') as string) as PendingRecord;
        for (const t of [v?.tokens?.access, v?.tokens?.refresh]) {
          const id = typeof t === 'string' ? sealedKeyId(t) : null;
          if (id) ids.add(id);
        }
      } catch {
        // Not a record: nothing sealed to account for.
      }
    }
    return ids;
  }

  #read(path: string): PendingFile | { message: string; hint?: string } {
    let text: string;
    try {
      text = this.#io.readFileSync(path, 'utf8') as string;
    } catch (err) {
      return { message: `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Never quote the text: it holds tokens.
      return { message: `not valid JSON (${text.trim().length} bytes)` };
    }
    const problem = recordProblem(value);
    if (problem) return { message: problem };
    try {
      return { path, record: openRecord(this.#codec, value as PendingRecord) };
    } catch (err) {
      if (!isClawkeepError(err)) throw err;
      return { message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
    }
  }

  #quietly(fn: () => void): void {
    try {
      fn();
    } catch {
      // Cleanup of a reservation that already failed; the original error is the one to report.
    }
  }
}

/** Space set aside by `reserve`; `write` fills it with the rotated tokens without needing new space. */
export class Reservation {
  #io: JournalIo;
  #fd: number | null;
  #reservePath: string;
  #finalPath: string;
  #dir: string;
  #codec: TokenCodec | null;
  #written = 0;
  /** Where the record is now (the reserve file until `write` renamed it). */
  path: string;
  /**
   * The store's key when the reservation was made (null: encryption off): the record's tokens are
   * sealed with it. Read after the reservation file exists, so a key change either sees this
   * reservation (and keeps the old key) or happened before the read.
   */
  keyId: string | null = null;

  constructor(
    io: JournalIo,
    fd: number,
    reservePath: string,
    finalPath: string,
    dir: string,
    codec: TokenCodec | null,
  ) {
    this.#io = io;
    this.#codec = codec;
    this.#fd = fd;
    this.#reservePath = reservePath;
    this.#finalPath = finalPath;
    this.#dir = dir;
    this.path = reservePath;
  }

  get written(): boolean {
    return this.#written > 0;
  }

  /**
   * Writes the record over the reserved padding, fsyncs, and renames the file to its `.json` name:
   * the name appears only with a complete record. The padding that follows is JSON whitespace.
   */
  write(record: PendingRecord): string {
    const fd = this.#openFd();
    const bytes = Buffer.from(JSON.stringify(sealRecord(this.#codec, this.keyId, record)));
    if (bytes.length + 1 > RESERVE_BYTES) throw new Error('pending record larger than its reservation');
    try {
      writeFully(this.#io, fd, bytes);
      this.#io.fsyncSync(fd);
      this.#io.renameSync(this.#reservePath, this.#finalPath);
    } catch (err) {
      throw toStoreIoError(err, this.#reservePath, 'write the pending rotation', this.#dir);
    }
    this.#written = bytes.length;
    this.path = this.#finalPath;
    fsyncDir(this.#dir);
    return this.#finalPath;
  }

  /** Gives the padding back to the file system (keeps the record), e.g. so the store can commit. */
  release(): void {
    const fd = this.#fd;
    if (fd === null) return;
    try {
      this.#io.ftruncateSync(fd, this.#written);
      this.#io.fsyncSync(fd);
    } catch {
      // Freeing space is an optimisation; the record (if any) is already durable.
    }
  }

  /** Closes the file; the record stays on disk for the next broker or the doctor. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      this.#io.closeSync(fd);
    } catch {
      // Nothing left to lose: the record was fsync'd before.
    }
  }

  /** Removes the file (the store took the tokens, or nothing was presented). */
  remove(): void {
    this.close();
    try {
      this.#io.unlinkSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toStoreIoError(err, this.path, 'remove');
    }
  }

  #openFd(): number {
    if (this.#fd === null) throw new Error('reservation already closed');
    return this.#fd;
  }
}

/** Writes all of `bytes` at offset 0: a short write (the disk filled up mid-way) is retried, so it ends in ENOSPC. */
function writeFully(io: JournalIo, fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) {
    const n = io.writeSync(fd, bytes, at, bytes.length - at, at);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    at += n;
  }
}

/** The record with its tokens sealed with `keyId`; as it is when `keyId` is null (encryption off). */
function sealRecord(codec: TokenCodec | null, keyId: string | null, r: PendingRecord): PendingRecord {
  if (keyId === null) return r;
  if (!codec) throw new Error('a sealed journal record needs the store codec');
  const t = r.tokens;
  return {
    ...r,
    tokens: {
      ...t,
      access: codec.seal(keyId, r.profileId, 'access', t.access)!,
      refresh: codec.seal(keyId, r.profileId, 'refresh', t.refresh)!,
    },
  };
}

/** The record with its tokens opened; throws `store_key_missing`/`store_undecryptable` when it cannot. */
function openRecord(codec: TokenCodec | null, r: PendingRecord): PendingRecord {
  const t = r.tokens;
  const keyId = sealedKeyId(t.access) ?? sealedKeyId(t.refresh);
  if (keyId === null) return r;
  if (!codec) {
    throw new ClawkeepError('store_key_missing', `its tokens are sealed with store key ${keyId}`, {
      hint: 'read it with the store it belongs to (clawkeep doctor --fix with that store)',
    });
  }
  return {
    ...r,
    tokens: {
      ...t,
      access: codec.open(r.profileId, 'access', t.access)!,
      refresh: codec.open(r.profileId, 'refresh', t.refresh)!,
    },
  };
}

function recordProblem(v: unknown): string | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (r.kind !== RECORD_KIND) return 'field kind is not clawkeep-pending-rotation';
  if (r.version !== 1) return 'field version is not 1';
  for (const f of ['profileId', 'presentedFp', 'refreshFp', 'owner'] as const) {
    if (typeof r[f] !== 'string') return `field ${f} is missing or not a string`;
  }
  if (typeof r.generation !== 'number') return 'field generation is missing or not a number';
  const t = r.tokens as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object') return 'field tokens is missing or not an object';
  for (const f of ['access', 'refresh'] as const) {
    if (typeof t[f] !== 'string' || !t[f]) return `field tokens.${f} is missing or not a string`;
  }
  for (const f of ['expires', 'issuedAt'] as const) {
    if (typeof t[f] !== 'number') return `field tokens.${f} is missing or not a number`;
  }
  return null;
}
