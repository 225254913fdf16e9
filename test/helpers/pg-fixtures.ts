import { adminQuery } from './postgres.js';

/** The database name of a test store URL. */
export const dbName = (url: string): string => new URL(url).pathname.slice(1);

/** As store-fixtures' ageProfile, on a PostgreSQL store: the access token is 1 s from expiry. */
export async function agePgProfile(url: string, id: string, now = Date.now()): Promise<void> {
  await adminQuery(
    `UPDATE profiles SET expires = ${now + 1000}, issued_at = ${now - 3_600_000} WHERE id = '${id}'`,
    dbName(url),
  );
}

export async function readPgRow(url: string, id: string): Promise<Record<string, unknown> | undefined> {
  const r = await adminQuery(`SELECT * FROM profiles WHERE id = '${id}'`, dbName(url));
  const row = r.rows[0] as Record<string, unknown> | undefined;
  if (!row) return row;
  // BIGINT columns come back as strings: numbers, as SQLite's rows give them.
  for (const k of ['generation', 'expires', 'issued_at', 'lease_until', 'rotated_at', 'updated_at'])
    if (typeof row[k] === 'string') row[k] = Number(row[k]);
  return row;
}

export async function pgEventKinds(url: string, id: string): Promise<string[]> {
  const r = await adminQuery(`SELECT kind FROM events WHERE profile_id = '${id}' ORDER BY seq`, dbName(url));
  return r.rows.map((x) => x.kind as string);
}
