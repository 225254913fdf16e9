// Preloaded into a clawkeep process by crash tests: when the broker publishes the event named by
// CLAWKEEP_TEST_FREEZE_AT, write CLAWKEEP_TEST_FREEZE_MARK and block the thread so the test can kill -9 it there.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const at = process.env.CLAWKEEP_TEST_FREEZE_AT;
const mark = process.env.CLAWKEEP_TEST_FREEZE_MARK;
if (at && mark) {
  subscribe('clawkeep:broker', (msg) => {
    if (msg.kind !== at) return;
    writeFileSync(mark, String(process.pid));
    Atomics.wait(
      new Int32Array(new SharedArrayBuffer(4)),
      0,
      0,
      Number(process.env.CLAWKEEP_TEST_FREEZE_MS ?? 120_000),
    );
  });
}
