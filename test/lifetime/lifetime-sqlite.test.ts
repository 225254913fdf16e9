import { describe, it } from 'vitest';
import { runCompressedLifetime } from './expect-figures.js';

describe('lifetime: the shipped gateway on the default SQLite home, across rotations and restarts', () => {
  it('answers every request, rotates each login once per rotation, never presents a spent token', async () => {
    await runCompressedLifetime(null, ['SIGTERM', 'SIGKILL']);
  }, 180_000);
});
