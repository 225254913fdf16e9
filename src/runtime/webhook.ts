import type { Logger } from 'pino';

/** Fire-and-forget POST of a fallback or quota record; failures are logged, never surfaced to the client. */
export function notifyWebhook(url: string | undefined, payload: Record<string, unknown>, log: Logger): void {
  if (!url) return;
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(5000),
  }).then(
    (res) => {
      if (!res.ok)
        log.warn({ webhook: webhookOrigin(url), status: res.status }, 'webhook answered with an error');
      void res.body?.cancel();
    },
    (err: Error) => log.warn({ webhook: webhookOrigin(url), err: err.message }, 'webhook failed'),
  );
}

/** Only the origin of a webhook URL is logged: its path or query may carry a secret (Slack, Discord). */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
