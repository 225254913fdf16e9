import { describe, it } from 'vitest';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCompressedLifetime } from './expect-figures.js';

describe('lifetime: the shipped gateway on PostgreSQL, across rotations and restarts', () => {
  it('answers every request, rotates each login once per rotation, never presents a spent token', async () => {
    await runCompressedLifetime(await createTestDatabase('lifetime'), ['SIGKILL', 'SIGTERM']);
  }, 180_000);
});
