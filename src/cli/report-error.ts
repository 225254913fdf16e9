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

/** How a thrown error is shown: a stable code, one message, a hint; the stack only when debugging. */
export function describeError(err: unknown): ErrorReport {
  if (err instanceof CommanderError) {
    return {
      code: 'usage',
      message: err.message.replace(/^error: /, ''),
      hint: 'add --help for usage',
      exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.error,
    };
  }
  if (isClawkeepError(err)) {
    return {
      code: err.code,
      message: err.message,
      hint: err.hint,
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

/** Prints an error: `{"error":{code,message,hint}}` on stdout with --json, else lines on stderr. */
export function reportError(io: Io, err: unknown, o: { json: boolean; debug: boolean }): number {
  const r = describeError(err);
  if (o.json) {
    io.out(JSON.stringify({ error: { code: r.code, message: r.message, hint: r.hint } }, null, 2));
  } else if (!(err instanceof CommanderError)) {
    // Commander already printed its own message (and a suggestion) to stderr.
    const label = r.code === 'unexpected' ? 'unexpected error: ' : '';
    io.err(`clawkeep: ${label}${r.message} [${r.code}]`);
    if (r.hint && !r.message.includes(r.hint)) io.err(`hint: ${r.hint}`);
  }
  if (o.debug && r.stack && !(err instanceof CommanderError)) io.err(r.stack);
  return r.exitCode;
}
