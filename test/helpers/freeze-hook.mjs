// Preloaded into a clawkeep process by crash tests: when the broker publishes the event named by
// CLAWKEEP_TEST_FREEZE_AT, write CLAWKEEP_TEST_FREEZE_MARK and block the thread so the test can kill -9 it there.
// CLAWKEEP_TEST_PAUSE_AT / _MARK / _MS add an earlier, timed pause (e.g. to let another process take a lock).
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

function block(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const env = process.env;
const stops = [
  {
    at: env.CLAWKEEP_TEST_PAUSE_AT,
    mark: env.CLAWKEEP_TEST_PAUSE_MARK,
    ms: Number(env.CLAWKEEP_TEST_PAUSE_MS ?? 1000),
  },
  {
    at: env.CLAWKEEP_TEST_FREEZE_AT,
    mark: env.CLAWKEEP_TEST_FREEZE_MARK,
    ms: Number(env.CLAWKEEP_TEST_FREEZE_MS ?? 120_000),
  },
].filter((s) => s.at && s.mark);
if (stops.length > 0) {
  subscribe('clawkeep:broker', (msg) => {
    for (const s of stops) {
      if (msg.kind !== s.at) continue;
      writeFileSync(s.mark, String(process.pid));
      block(s.ms);
    }
  });
}
