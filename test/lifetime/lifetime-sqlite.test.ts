import { describe, it } from 'vitest';
import { expectHealthyLifetime } from './expect-figures.js';
import { linkedToolsLane } from './linked-tools.js';
import { dashboardLane, eventsFollowLane } from './observers.js';
import { LOGINS, runLifetime } from './scenario.js';

describe('lifetime: the shipped gateway on the default SQLite home, across rotations and restarts', () => {
  it('answers every request, rotates each login once per rotation, never presents a spent token', async () => {
    const figures = await runLifetime({
      storeUrl: null,
      durationMs: 30_000,
      accessTtlSeconds: 8,
      agentsPerLogin: 2,
      agentPauseMs: 10,
      tokenLoops: 1,
      restarts: ['SIGTERM', 'SIGKILL'],
      lanes: [
        eventsFollowLane(),
        dashboardLane([LOGINS.codex.id, LOGINS.claude.id]),
        linkedToolsLane({ accessTtlSeconds: 8 }),
      ],
    });
    expectHealthyLifetime(figures, 3);
  }, 180_000);
});
