import pino, { type Logger } from 'pino';

/** Every field that could ever hold a credential, wherever it sits in a log object. */
export const REDACT_PATHS = [
  'access',
  'refresh',
  'token',
  'key',
  'apiKey',
  'authorization',
  '*.access',
  '*.refresh',
  '*.token',
  '*.key',
  '*.apiKey',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
];

export type LogFormat = 'json' | 'pretty';

/**
 * Structured logs (pino) with credential redaction: JSON lines, or with `pretty` one readable line
 * per entry for a terminal. `destination` lets tests capture lines.
 */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  const options = {
    level,
    base: { name: 'clawkeep' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (format === 'pretty') {
    const out = destination ?? process.stdout;
    return pino(options, { write: (line: string) => out.write(`${formatLogLine(line)}\n`) });
  }
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
/** Shown in this order, without their names, when present. */
const LEADING = ['client', 'chain', 'target', 'status'] as const;
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v', 'latencyMs', ...LEADING]);

/**
 * One pino JSON line as a person reads it:
 * `14:03:07 INFO  request my-agent main openai-codex/gpt-5 200 812.4ms fallback=…`.
 */
export function formatLogLine(json: string): string {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof e.time === 'number' ? new Date(e.time).toTimeString().slice(0, 8) : '--:--:--';
  const parts = [time, LEVELS[e.level as number] ?? String(e.level), String(e.msg ?? '')];
  for (const k of LEADING) if (e[k] !== undefined && e[k] !== null) parts.push(String(e[k]));
  if (typeof e.latencyMs === 'number') parts.push(`${e.latencyMs}ms`);
  for (const [k, v] of Object.entries(e)) {
    if (HIDDEN.has(k) || v === null || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' ');
}
