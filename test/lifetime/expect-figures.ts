import { expect } from 'vitest';
import { formatFigures, type LifetimeFigures, LOGINS } from './scenario.js';

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
