const pad = (n: number) => String(n).padStart(2, '0');

function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `2026-05-03 14:02:11`: an instant in the local time zone (TZ), to the second. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `14:02` on the same local day as `now`, else `2026-05-04 14:02`: a time that is soon, or a date. */
export function formatLocalClock(ms: number, now: number): string {
  const d = new Date(ms);
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return localDate(d) === localDate(new Date(now)) ? clock : `${localDate(d)} ${clock}`;
}
