/**
 * Every error clawkeep raises carries a stable `code` that users and callers match on.
 * The table is the single list of codes: add a row here, never match on messages.
 */
export const ERROR_CODES = {
  usage: { retryable: false, status: 400 },
  config_invalid: { retryable: false, status: 500 },
  home_unusable: { retryable: false, status: 500 },
  store_corrupt: { retryable: false, status: 500 },
  store_key_missing: { retryable: false, status: 500 },
  store_undecryptable: { retryable: false, status: 500 },
  keyring_unavailable: { retryable: false, status: 500 },
  store_schema_newer: { retryable: false, status: 500 },
  store_busy: { retryable: true, status: 503 },
  store_full: { retryable: true, status: 507 },
  store_io: { retryable: true, status: 503 },
  store_readonly: { retryable: false, status: 503 },
  store_denied: { retryable: false, status: 500 },
  store_unreachable: { retryable: true, status: 503 },
  store_auth_failed: { retryable: false, status: 500 },
  store_database_missing: { retryable: false, status: 500 },
  store_read_only: { retryable: true, status: 503 },
  store_worker_died: { retryable: true, status: 503 },
  profile_not_found: { retryable: false, status: 404 },
  profile_exists: { retryable: false, status: 409 },
  profile_disabled: { retryable: false, status: 403 },
  profile_invalid: { retryable: false, status: 400 },
  reauth_required: { retryable: false, status: 401 },
  refresh_transient: { retryable: true, status: 503 },
  refresh_unsupported: { retryable: false, status: 400 },
  lease_timeout: { retryable: true, status: 503 },
  provider_unknown: { retryable: false, status: 400 },
  upstream_error: { retryable: true, status: 502 },
  login_failed: { retryable: false, status: 400 },
  login_timeout: { retryable: true, status: 504 },
  source_invalid: { retryable: false, status: 400 },
  openclaw_home_invalid: { retryable: false, status: 400 },
  client_exists: { retryable: false, status: 409 },
  client_unauthorized: { retryable: false, status: 401 },
  model_not_found: { retryable: false, status: 404 },
  request_too_large: { retryable: false, status: 413 },
  client_busy: { retryable: true, status: 429 },
  host_not_allowed: { retryable: false, status: 421 },
  all_targets_failed: { retryable: true, status: 502 },
  all_targets_cooling: { retryable: true, status: 429 },
  gateway_running: { retryable: false, status: 409 },
  gateway_not_running: { retryable: false, status: 404 },
  port_in_use: { retryable: false, status: 409 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ClawkeepErrorOptions {
  cause?: unknown;
  /** Extra, non-secret facts for logs and `--json` output. */
  details?: Record<string, unknown>;
  /** Overrides the table's default retryability (e.g. a lease wait that gave up). */
  retryable?: boolean;
  /** What the user can do about it, e.g. the command to run. */
  hint?: string;
}

const SECRET_KEYS =
  /^(access|refresh|key|token|secret|password|authorization|refresh_token|access_token|id_token)$/i;

/** Base class of every clawkeep error: stable code, retryability, HTTP status, cause, redacted JSON. */
export class ClawkeepError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly hint: string | null;

  constructor(code: ErrorCode, message: string, options: ClawkeepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClawkeepError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.status = ERROR_CODES[code].status;
    this.details = options.details ?? {};
    this.hint = options.hint ?? null;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.hint === null ? {} : { hint: this.hint }),
      details: redact(this.details),
    };
  }
}

/** Returns a deep copy of `value` with every credential-looking field replaced by `[redacted]`. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v);
    return out;
  }
  return value;
}

export function isClawkeepError(err: unknown, code?: ErrorCode): err is ClawkeepError {
  return err instanceof ClawkeepError && (code === undefined || err.code === code);
}

/**
 * One line naming what went wrong, safe for a client or a log: a clawkeep error's code, else the
 * error's class and system code (`DataCloneError`, `Error EIO`). Never the message of an error we did
 * not write: those can quote source text (a function that could not be cloned) or a token.
 */
export function describeCause(err: unknown): string {
  if (err instanceof ClawkeepError) {
    const reason = err.details.reason;
    return typeof reason === 'string' ? `${err.code} (${reason})` : err.code;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? `${err.name} ${code}` : err.name;
  }
  return typeof err;
}
