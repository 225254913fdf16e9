import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_DIR_ENV, stopServer } from './postgres.js';

/**
 * vitest globalSetup: one directory per test run in which the first PostgreSQL test starts the
 * run's server (workers inherit the variable); teardown stops it. Costs nothing when no test asks.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'clawkeep-pg-run-'));
  process.env[RUN_DIR_ENV] = dir;
  return () => stopServer(dir);
}
