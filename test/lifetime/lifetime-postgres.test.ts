import { describe, it } from 'vitest';
import { createTestDatabase, postgresUnavailable } from '../helpers/postgres.js';
import { expectHealthyLifetime } from './expect-figures.js';
import { linkedToolsLane } from './linked-tools.js';
import { dashboardLane, eventsFollowLane } from './observers.js';
import { LOGINS, runLifetime } from './scenario.js';

const skip = postgresUnavailable();
if (skip) console.warn(`[skip] lifetime on PostgreSQL: ${skip}`);

describe.skipIf(skip)('lifetime: the shipped gateway on PostgreSQL, across rotations and restarts', () => {
  it('answers every request, rotates each login once per rotation, never presents a spent token', async () => {
    const figures = await runLifetime({
      storeUrl: await createTestDatabase('lifetime'),
      durationMs: 30_000,
      accessTtlSeconds: 8,
      agentsPerLogin: 2,
      agentPauseMs: 10,
      tokenLoops: 1,
      restarts: ['SIGKILL', 'SIGTERM'],
      lanes: [
        eventsFollowLane(),
        dashboardLane([LOGINS.codex.id, LOGINS.claude.id]),
        linkedToolsLane({ accessTtlSeconds: 8 }),
      ],
    });
    expectHealthyLifetime(figures, 3);
  }, 180_000);
});
