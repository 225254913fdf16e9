// The other side of the split: reads the store OpenClaw's gateway reads in a loop for DURATION ms and
// checks that the generation it sees never goes back (a token once in the store is never replaced by
// an older one). Prints {"reads":…, "regressions":…, "unreadable":…, "last":…}.
// Usage: node store-reader.mjs <agent sqlite> <durationMs>
import Database from 'better-sqlite3';

const [path, durationText] = process.argv.slice(2);
const until = Date.now() + Number(durationText);
let reads = 0;
let regressions = 0;
let unreadable = 0;
let last = 0;
while (Date.now() < until) {
  let db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    const row = db
      .prepare(`SELECT store_json AS j FROM auth_profile_store WHERE store_key = 'primary'`)
      .get();
    const p = JSON.parse(row.j).profiles['openai:default'];
    const k = Number(/fake-watch-refresh-(\d+)/.exec(p.refresh)?.[1] ?? 0);
    if (k < last) regressions++;
    last = Math.max(last, k);
    reads++;
  } catch {
    unreadable++;
  } finally {
    db?.close();
  }
  await new Promise((r) => setTimeout(r, 5));
}
process.stdout.write(`${JSON.stringify({ reads, regressions, unreadable, last })}\n`);
