import { expect } from 'vitest';
import { linkedToolsLane } from './linked-tools.js';
import { dashboardLane, eventsFollowLane } from './observers.js';
import { formatFigures, type LifetimeFigures, LOGINS, runLifetime } from './scenario.js';

/** What a lifetime run must show, on any store: the figures the issue names, each with its reason. */
export function expectHealthyLifetime(f: LifetimeFigures, minRotationsPerLogin: number): void {
  console.log(formatFigures(f));
  // Every request was answered with the upstream's answer: no 5xx or 429 that clawkeep caused.
  expect(f.statuses).toEqual({ 200: f.requests });
  expect(f.fallbacks).toBe(0);
  expect(f.tokenFailures).toEqual([]);
  // One token-endpoint call per rotation, no spent token ever presented, no dead access token handed out.
  expect(f.emulator.refreshes.total).toBe(f.emulator.rotations);
  expect(f.emulator.tokenRequests).toBe(f.emulator.rotations);
  expect(f.emulator.reuseHits).toBe(0);
  expect(f.emulator.graceHits).toBe(0);
  expect(f.emulator.accessRejected).toEqual({ expired: 0, revoked: 0, invalid: 0 });
  expect(f.reauthEvents).toBe(0);
  // Every rotation is in the store's events (other tools' rotations as adoptions), and each login crossed several.
  const logged = Object.values(f.rotatedEvents).reduce((a, b) => a + b, 0);
  expect(logged + f.externalRotations).toBe(f.emulator.rotations);
  expect(f.adoptedEvents).toBe(f.externalRotations);
  for (const id of [LOGINS.codex.id, LOGINS.claude.id]) {
    expect(f.rotatedEvents[id] ?? 0, id).toBeGreaterThanOrEqual(minRotationsPerLogin);
  }
  expect(f.leaks).toEqual([]);
  for (const lane of f.lanes) expect(lane.problems, lane.name).toEqual([]);
  expect(f.restarts.length).toBeGreaterThan(0);
}

/**
 * The compressed run inside `npm test`: 30 s of 8 s access tokens (a few rotations per login), two
 * agents per login, a `clawkeep token` loop per OAuth login, `events --follow`, the dashboard, linked
 * Codex CLI and OpenClaw under `watch`, and one graceful and one hard restart of the gateway.
 */
export async function runCompressedLifetime(
  storeUrl: string | null,
  restarts: NodeJS.Signals[],
): Promise<void> {
  const figures = await runLifetime({
    storeUrl,
    durationMs: 30_000,
    accessTtlSeconds: 8,
    agentsPerLogin: 2,
    agentPauseMs: 10,
    tokenLoops: 1,
    restarts,
    lanes: [
      eventsFollowLane(),
      dashboardLane([LOGINS.codex.id, LOGINS.claude.id]),
      linkedToolsLane({ accessTtlSeconds: 8 }),
    ],
  });
  expectHealthyLifetime(figures, 3);
}
