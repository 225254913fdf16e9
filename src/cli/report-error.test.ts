import { describe, expect, it } from 'vitest';
import { ClawkeepError } from '../errors.js';
import type { Io } from './output.js';
import { reportError } from './report-error.js';

function capture(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return {
    outs,
    errs,
    out: (t) => outs.push(t),
    err: (t) => errs.push(t),
    stdin: process.stdin,
    isTTY: false,
  };
}

describe('reportError', () => {
  it('an unexpected error is one line plus a hint; the stack only when debugging', () => {
    const io = capture();
    const boom = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' });
    expect(reportError(io, boom, { json: false, debug: false })).toBe(2);
    expect(io.errs).toHaveLength(2);
    expect(io.errs[0]).toBe('clawkeep: unexpected error: connect ECONNREFUSED 127.0.0.1:5 [unexpected]');
    expect(io.errs[1]).toMatch(/^hint: run again with --debug/);
    expect(io.errs.join('\n')).not.toMatch(/\n\s+at /);

    const dbg = capture();
    reportError(dbg, boom, { json: false, debug: true });
    expect(dbg.errs.join('\n')).toMatch(/\n\s+at /);
  });

  it('a clawkeep error keeps its code, exit code and hint; --json puts it on stdout', () => {
    const io = capture();
    const err = new ClawkeepError('reauth_required', 'log in again', { hint: 'clawkeep models auth login' });
    expect(reportError(io, err, { json: true, debug: false })).toBe(1);
    expect(io.errs).toEqual([]);
    expect(JSON.parse(io.outs.join('\n'))).toEqual({
      error: { code: 'reauth_required', message: 'log in again', hint: 'clawkeep models auth login' },
    });
  });
});
