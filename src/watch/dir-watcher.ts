import { type FSWatcher, watch } from 'node:fs';

/**
 * One non-recursive `fs.watch` per directory (inotify / FSEvents: no polling, no CPU while idle).
 * `sync` adds watchers for new dirs and closes those no longer wanted; a dir that vanishes or cannot
 * be watched is dropped and picked up again by the next `sync` (the guardian's periodic rescan).
 */
export class DirWatcher {
  #watchers = new Map<string, FSWatcher>();
  #onChange: (dir: string, name: string | null) => void;

  constructor(onChange: (dir: string, name: string | null) => void) {
    this.#onChange = onChange;
  }

  sync(dirs: Iterable<string>): void {
    const want = new Set(dirs);
    for (const [dir, w] of this.#watchers) {
      if (want.has(dir)) continue;
      w.close();
      this.#watchers.delete(dir);
    }
    for (const dir of want) {
      if (this.#watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: true }, (_event, name) => this.#onChange(dir, name ?? null));
        w.on('error', () => {
          w.close();
          this.#watchers.delete(dir);
          this.#onChange(dir, null);
        });
        this.#watchers.set(dir, w);
      } catch {
        // Gone or unreadable right now; the next rescan tries again.
      }
    }
  }

  get size(): number {
    return this.#watchers.size;
  }

  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}
