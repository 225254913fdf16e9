import type { ChildProcess } from 'node:child_process';
import { CLI, startNode } from '../helpers/processes.js';

/** A long-running `clawkeep …` child: its output so far, and a way to wait for a line of it. */
export class CliProcess {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = startNode(CLI, args, { env });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.err += d.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first match of `re` in its output; rejects if the process exits first or after `ms`. */
  waitFor(re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.out.match(re) ?? this.err.match(re);
        if (m) {
          done();
          resolve(m);
        }
      };
      const onExit = () => {
        done();
        reject(new Error(`exited before printing ${re}:\n${this.out}\n${this.err}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${re} within ${ms} ms:\n${this.out}\n${this.err}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        this.child.stderr!.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout!.on('data', check);
      this.child.stderr!.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
