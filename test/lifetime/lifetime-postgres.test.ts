import { describe, it } from 'vitest';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { runCompressedLifetime } from './expect-figures.js';

const skip = postgresUnavailable();
if (skip) console.warn(`[skip] lifetime on PostgreSQL: ${skip}`);

describe.skipIf(skip)('lifetime: the shipped gateway on PostgreSQL, across rotations and restarts', () => {
  it('answers every request, rotates each login once per rotation, never presents a spent token', async () => {
    await runCompressedLifetime(await createTestDatabase('lifetime'), ['SIGKILL', 'SIGTERM']);
  }, 180_000);
});
