import { describe, expect, it } from 'vitest';
import { createDoctorContext } from './context.js';
import { applyFixes, exitCodeOf, runDiagnosis } from './runner.js';
import type { Check } from './types.js';

const ctx = () =>
  createDoctorContext({ clawkeepHome: '/nonexistent', openclawHomes: [], command: 'clawkeep' });

describe('doctor runner', () => {
  it('keeps a crashed check apart from one that found problems', async () => {
    const checks: Check[] = [
      {
        id: 'boom',
        title: 'crashes',
        run: () => {
          throw new Error('kaput');
        },
      },
      {
        id: 'warns',
        title: 'finds',
        run: () => [{ check: 'warns', severity: 'warn', code: 'x', message: 'm' }],
      },
      { id: 'fine', title: 'fine', run: () => [] },
    ];
    const r = await runDiagnosis(checks, ctx());
    expect(r.map((x) => x.status)).toEqual(['crashed', 'findings', 'ok']);
    expect(r[0]!.error).toContain('kaput');
    expect(exitCodeOf(r)).toBe(2);
    expect(exitCodeOf(r.slice(1))).toBe(1);
    expect(exitCodeOf(r.slice(2))).toBe(0);
  });

  it('a fix that throws is recorded as failed and the others still run', async () => {
    const check: Check = {
      id: 'c',
      title: 't',
      run: () => [
        { check: 'c', severity: 'warn', code: 'a', message: 'm', fix: 'do a' },
        { check: 'c', severity: 'warn', code: 'b', message: 'm', fix: 'do b' },
      ],
      fix: (_ctx, f) => {
        if (f.code === 'a') throw new Error('nope');
        return { status: 'fixed', message: 'ok' };
      },
    };
    const c = ctx();
    const applied = await applyFixes([check], c, await runDiagnosis([check], c));
    expect(applied.map((a) => a.result.status)).toEqual(['failed', 'fixed']);
  });
});
