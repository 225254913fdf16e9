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

/** Structured JSON logs (pino) with credential redaction; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { name: 'clawkeep' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
