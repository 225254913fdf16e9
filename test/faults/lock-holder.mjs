// Holds the write lock of a clawkeep store for argv[3] ms (BEGIN IMMEDIATE … COMMIT), printing
// `locked` once it has it: another process in the middle of a long write transaction.
import Database from 'better-sqlite3';

const [path, ms] = process.argv.slice(2);
const db = new Database(path, { timeout: 10_000 });
db.exec('BEGIN IMMEDIATE');
db.prepare('UPDATE profiles SET updated_at = updated_at').run();
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
}, Number(ms));
