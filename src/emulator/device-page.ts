import { escapeHtml } from '../util/html.js';

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · clawkeep emulator</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/**
 * The device verification page, as auth.openai.com/codex/device shows it: a field for the code the
 * terminal printed. Posting it approves the login as the emulated user (`login_hint`, else the default).
 */
export function deviceCodeForm(o: { action: string; userCode?: string; problem?: string }): string {
  const problem = o.problem ? `<p role="alert"><strong>${escapeHtml(o.problem)}</strong></p>` : '';
  return page(
    'Enter your one-time code',
    `${problem}<p>Enter the code your terminal shows to sign in to the emulated provider.</p>` +
      `<form method="post" action="${escapeHtml(o.action)}">` +
      `<p><label>Code <input name="user_code" required autocomplete="off" autofocus placeholder="XXXX-XXXX" value="${escapeHtml(o.userCode ?? '')}"></label></p>` +
      '<p><label>Sign in as (optional) <input name="login_hint" type="email" placeholder="ada@example.com"></label></p>' +
      '<p><button type="submit">Continue</button></p></form>',
  );
}

/** The answer once the code is approved: the terminal's poll now completes the login. */
export function deviceApprovedPage(email: string): string {
  return page(
    'Signed in',
    `<p>Approved as ${escapeHtml(email)}. Return to your terminal: the login completes there.</p>`,
  );
}
