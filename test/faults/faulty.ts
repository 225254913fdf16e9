import * as nodeFs from 'node:fs';
import { toStoreIoError } from '../../src/store/io-errors.js';
import type { JournalIo } from '../../src/store/rotation-journal.js';
import type { Store } from '../../src/store/types.js';

/** Decides, for each write a rotation makes (`store.commitRotation`, `fs.fsyncSync`…), whether it fails. */
export class FaultPlan {
  count = 0;
  readonly log: string[] = [];
  readonly failed: string[] = [];
  constructor(private readonly fails: (label: string, n: number) => boolean) {}

  /** Fails exactly the nth write. */
  static nth(n: number): FaultPlan {
    return new FaultPlan((_label, i) => i === n);
  }

  hit(label: string): boolean {
    this.count++;
    this.log.push(label);
    const fail = this.fails(label, this.count);
    if (fail) this.failed.push(label);
    return fail;
  }
}

const STORE_WRITES = new Set([
  'claimLease',
  'commitRotation',
  'adoptCredential',
  'markNeedsReauth',
  'releaseLease',
  'appendEvent',
  'appendEvents',
]);

/** The store, with every write first asking the plan whether it hits an I/O error (SQLITE_IOERR_WRITE). */
export function faultyStore(store: Store, plan: FaultPlan): Store {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (typeof key === 'string' && STORE_WRITES.has(key)) {
        return async (...args: unknown[]) => {
          if (plan.hit(`store.${key}`)) {
            const err = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
            throw toStoreIoError(err, target.location, 'write the store');
          }
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/** node:fs for the rotation journal, with every write, sync, rename and removal failing (EIO) when the plan says. */
export function faultyIo(plan: FaultPlan): JournalIo {
  const fail = (label: string) => {
    if (plan.hit(`fs.${label}`)) throw Object.assign(new Error(`EIO: i/o error, ${label}`), { code: 'EIO' });
  };
  return {
    ...nodeFs,
    mkdirSync: ((...a: Parameters<typeof nodeFs.mkdirSync>) => {
      fail('mkdirSync');
      return nodeFs.mkdirSync(...a);
    }) as typeof nodeFs.mkdirSync,
    openSync: ((...a: Parameters<typeof nodeFs.openSync>) => {
      fail('openSync');
      return nodeFs.openSync(...a);
    }) as typeof nodeFs.openSync,
    writeSync: ((...a: Parameters<typeof nodeFs.writeSync>) => {
      fail('writeSync');
      return (nodeFs.writeSync as (...x: unknown[]) => number)(...a);
    }) as typeof nodeFs.writeSync,
    fsyncSync: (fd: number) => {
      fail('fsyncSync');
      nodeFs.fsyncSync(fd);
    },
    renameSync: (from: nodeFs.PathLike, to: nodeFs.PathLike) => {
      fail('renameSync');
      nodeFs.renameSync(from, to);
    },
    ftruncateSync: (fd: number, len?: number) => {
      fail('ftruncateSync');
      nodeFs.ftruncateSync(fd, len);
    },
    unlinkSync: (path: nodeFs.PathLike) => {
      fail('unlinkSync');
      nodeFs.unlinkSync(path);
    },
  };
}
