import { describe, it } from 'vitest';
import type { ClientName } from '../clients/clients.js';
import { skipReason } from '../clients/harness.js';
import { expectHealthyLifetime } from './expect-figures.js';
import { realClientsLane } from './real-clients.js';
import { runLifetime } from './scenario.js';

/**
 * The five real clients at once, each in a loop of tool-calling sessions through the shipped gateway,
 * beside the scripted agents and `clawkeep token` loops, across rotations and SIGTERM/SIGKILL restarts.
 */
const CLIENTS: ClientName[] = ['codex', 'claude-code', 'opencode', 'pi', 'openclaw'];
const reasons = CLIENTS.map(skipReason).filter((r) => r !== null);

describe.skipIf(reasons.length > 0)(
  'lifetime: the real clients side by side across rotations and restarts',
  () => {
    it('every client keeps getting its answers across at least three rotations of its login', async () => {
      const figures = await runLifetime({
        storeUrl: null,
        // Under load OpenClaw and opencode take up to ~70 s a session: two sessions must fit, with room.
        durationMs: 120_000,
        accessTtlSeconds: 8,
        agentsPerLogin: 1,
        agentPauseMs: 50,
        tokenLoops: 1,
        restarts: ['SIGTERM', 'SIGKILL'],
        lanes: [realClientsLane(CLIENTS)],
        log: (line) => console.log(line),
      });
      expectHealthyLifetime(figures, 3);
    }, 360_000);
  },
);
