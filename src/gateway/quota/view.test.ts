import { describe, expect, it } from 'vitest';
import type { QuotaReading } from './reading.js';
import { formatQuotaCell, viewQuotas } from './view.js';

const NOW = new Date(2026, 4, 3, 13, 40).getTime(); // local time, whatever TZ the tests run in
const AT_1402 = new Date(2026, 4, 3, 14, 2).getTime();
const TOMORROW_0900 = new Date(2026, 4, 4, 9, 0).getTime();

function cell(windows: QuotaReading['windows'], now = NOW): string {
  const reading: QuotaReading = { provider: 'x', windows, extra: {}, at: NOW - 1000 };
  const v = viewQuotas([{ profileId: 'p', data: JSON.stringify(reading), updatedAt: NOW }], now).get('p');
  return formatQuotaCell(v, now);
}

describe('formatQuotaCell', () => {
  it.each<[string, QuotaReading['windows'], string]>([
    [
      'API key counts per minute, reset today as a clock time',
      [
        {
          name: 'requests',
          usedRatio: 0.24,
          resetAt: AT_1402,
          windowMinutes: 1,
          status: null,
          limit: 50,
          remaining: 38,
        },
      ],
      'requests 12/50 per minute, resets 14:02',
    ],
    [
      'subscription shares of their windows, a later day with its date',
      [
        { name: 'primary', usedRatio: 0.425, resetAt: AT_1402, windowMinutes: 300, status: null },
        { name: 'secondary', usedRatio: 0.07, resetAt: TOMORROW_0900, windowMinutes: 10_080, status: null },
      ],
      'primary 42.5% of 5h, resets 14:02; secondary 7% of 7d, resets 2026-05-04 09:00',
    ],
    [
      'a window that started over says nothing; the rest stays',
      [
        {
          name: 'requests',
          usedRatio: 0.5,
          resetAt: NOW - 1,
          windowMinutes: 1,
          status: null,
          limit: 2,
          remaining: 1,
        },
        {
          name: 'tokens',
          usedRatio: 0.1,
          resetAt: AT_1402,
          windowMinutes: 1,
          status: null,
          limit: 100,
          remaining: 90,
        },
      ],
      'tokens 10/100 per minute, resets 14:02',
    ],
    [
      'an older reading without counts or window length, no reset time',
      [{ name: 'requests', usedRatio: 0.25, resetAt: null, windowMinutes: null, status: null }],
      'requests 25%',
    ],
    [
      'every window started over: nothing to say',
      [
        {
          name: 'requests',
          usedRatio: 1,
          resetAt: NOW - 1,
          windowMinutes: 1,
          status: null,
          limit: 5,
          remaining: 0,
        },
      ],
      '-',
    ],
  ])('%s', (_what, windows, expected) => {
    expect(cell(windows)).toBe(expected);
  });

  it('no reading at all is -', () => {
    expect(formatQuotaCell(undefined, NOW)).toBe('-');
  });
});
