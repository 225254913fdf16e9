import { CommanderError } from 'commander';
import { isClawkeepError } from '../errors.js';
import { invokedAs } from '../util/invoked-as.js';
import type { Io } from './output.js';

/** Exit codes: 0 ok, 1 a problem was found, 2 usage or runtime error. */
export const EXIT = { ok: 0, problem: 1, error: 2 } as const;

export interface ErrorReport {
  code: string;
  message: string;
  hint: string | null;
  exitCode: number;
  stack?: string;
}

/** The one JSON shape of an error, in `{"error": …}` and wherever a result carries one. */
export interface ErrorBody {
  code: string;
  message: string;
  hint: string | null;
}

export interface DescribeOptions {
  /** The failing command as typed, e.g. `profiles list`: a usage error's hint points at its --help. */
  command?: string;
}

/** How a thrown error is shown: a stable code, one message, a hint; the stack only when debugging. */
export function describeError(err: unknown, o: DescribeOptions = {}): ErrorReport {
  const help = `see: ${[invokedAs(), o.command, '--help'].filter(Boolean).join(' ')}`;
  if (err instanceof CommanderError) {
    return {
      code: 'usage',
      // commander writes `error: unknown option '--jsn'\n(Did you mean --json?)`: one line, no prefix.
      message: err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '),
      hint: help,
      exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.error,
    };
  }
  if (isClawkeepError(err)) {
    return {
      code: err.code,
      message: err.message,
      hint: err.hint ?? (err.code === 'usage' ? help : null),
      exitCode: err.code === 'reauth_required' ? EXIT.problem : EXIT.error,
      ...(err.stack ? { stack: err.stack } : {}),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const sys = (e as NodeJS.ErrnoException).code;
  return {
    code: 'unexpected',
    message: sys && !e.message.includes(sys) ? `${sys}: ${e.message}` : e.message,
    hint: `run again with --debug (or CLAWKEEP_DEBUG=1) for the stack trace: ${invokedAs()} --debug …`,
    exitCode: EXIT.error,
    ...(e.stack ? { stack: e.stack } : {}),
  };
}

/** `{code, message, hint}` of any error: what `--json` prints under `error`. */
export function errorBody(err: unknown, o: DescribeOptions = {}): ErrorBody {
  const r = describeError(err, o);
  return { code: r.code, message: r.message, hint: r.hint };
}

/**
 * Prints an error, the one place that decides its shape: with --json `{"error":{code,message,hint}}`
 * on stdout, else `clawkeep: <message> [<code>]` and a `hint:` line on stderr. Returns the exit code.
 */
export function reportError(
  io: Io,
  err: unknown,
  o: { json: boolean; debug: boolean } & DescribeOptions,
): number {
  const r = describeError(err, o);
  if (o.json) {
    io.out(JSON.stringify({ error: { code: r.code, message: r.message, hint: r.hint } }, null, 2));
  } else {
    const label = r.code === 'unexpected' ? 'unexpected error: ' : '';
    io.err(`clawkeep: ${label}${r.message} [${r.code}]`);
    if (r.hint && !r.message.includes(r.hint)) io.err(`hint: ${r.hint}`);
  }
  if (o.debug && r.stack) io.err(r.stack);
  return r.exitCode;
}
