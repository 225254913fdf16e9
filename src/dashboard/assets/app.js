// clawkeep dashboard: a small vanilla page over /ui/api. Every value is escaped before it is shown;
// the page never receives a token, only fingerprints.
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const view = document.getElementById('view');
const statusBox = document.getElementById('status');
const EVENT_KINDS = [
  'rotated',
  'adopted',
  'reauth_required',
  'refresh_failed',
  'fallback',
  'cooldown',
  'repaired',
  'imported',
  'created',
  'replaced',
  'removed',
  'enabled',
  'disabled',
  'client_added',
  'client_removed',
  'linked',
  'linked_write_failed',
  'rotation_discarded',
  'lease_taken_over',
];

const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function api(path, body) {
  const init =
    body === undefined
      ? { headers: { accept: 'application/json' } }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': CSRF },
          body: JSON.stringify(body),
        };
  const res = await fetch(`/ui/api${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.error?.message ?? `HTTP ${res.status}`);
    err.code = data.error?.code;
    throw err;
  }
  return data;
}

function say(text, kind = '') {
  statusBox.className = kind;
  statusBox.textContent = text;
}

function countdown(seconds) {
  if (seconds === null || seconds === undefined) return 'never';
  const s = Math.abs(seconds);
  const text =
    s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : s < 172800
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86400)} d`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

function ago(ms) {
  return ms ? countdown((ms - Date.now()) / 1000) : 'never';
}

function time(ms) {
  return ms ? new Date(ms).toLocaleString() : '-';
}

const stateLabel = { ok: 'ok', needs_reauth: 'needs re-auth', disabled: 'disabled' };
const badge = (status) => `<span class="badge ${esc(status)}">${esc(stateLabel[status] ?? status)}</span>`;
/** An element whose text counts down to `atMs` every second. */
const live = (atMs) =>
  atMs ? `<span data-until="${esc(atMs)}">${esc(countdown((atMs - Date.now()) / 1000))}</span>` : 'never';

/** A login's quota windows (used share, reset time); a window that started over since its reading says nothing. */
function quotaList(q) {
  const current = (q?.windows ?? []).filter((w) => !w.reset);
  if (current.length === 0) return '<span class="muted">-</span>';
  const item = (w) => {
    const reset = w.resetAt ? Date.parse(w.resetAt) : null;
    const meter = `<meter min="0" max="100" low="80" high="95" optimum="0" value="${esc(w.usedPercent)}" aria-label="${esc(w.window)} used"></meter>`;
    const when = reset ? `, resets <span title="${esc(time(reset))}">${live(reset)}</span>` : '';
    return `<li data-window="${esc(w.window)}">${meter}${esc(w.window)} <span class="used">${esc(w.amount)}</span>${when}</li>`;
  };
  return `<ul class="quota">${current.map(item).join('')}</ul>`;
}

setInterval(() => {
  for (const el of document.querySelectorAll('[data-until]')) {
    el.textContent = countdown((Number(el.dataset.until) - Date.now()) / 1000);
  }
}, 1000);

// ---- pages ------------------------------------------------------------------------------------

async function overview() {
  const d = await api('/overview');
  const banners = d.banners
    .map(
      (b) => `<div class="card banner" role="alert"><strong>${esc(b.profileId)}</strong> ${badge(b.status)}
        ${b.reason ? `<span class="muted">(${esc(b.reason)})</span>` : ''}<br>Fix: <code>${esc(b.fix)}</code>
        or <a href="#/logins">act on the Logins page</a>.</div>`,
    )
    .join('');
  return `<h1>Overview</h1>${banners}
    <div class="grid">
      <div class="card"><h2>Gateway</h2><dl>
        <dt>address</dt><dd><code>${esc(d.gateway.url)}</code></dd>
        <dt>up</dt><dd>${esc(countdown(-d.gateway.upSeconds).replace(' ago', ''))}</dd>
        <dt>usable logins</dt><dd>${esc(d.gateway.usableProfiles)} of ${esc(d.profiles.length)}</dd>
        <dt>cooldowns</dt><dd>${esc(d.gateway.cooldowns)}</dd></dl></div>
      <div class="card"><h2>Fallbacks</h2><dl>
        <dt>last hour</dt><dd data-testid="fallbacks-hour">${esc(d.fallbacks.hour)}</dd>
        <dt>last day</dt><dd>${esc(d.fallbacks.day)}</dd></dl></div>
    </div>
    <h2>Logins</h2>
    <div class="scroll" tabindex="0" role="region" aria-label="Logins table"><table><caption class="muted">Every login and its state</caption>
      <thead><tr><th scope="col">Profile</th><th scope="col">State</th><th scope="col">Quota</th><th scope="col">Next refresh</th>
      <th scope="col">Last rotation</th><th scope="col">Fallbacks 1 h / 24 h</th></tr></thead><tbody>
      ${
        d.profiles
          .map(
            (
              p,
            ) => `<tr data-profile="${esc(p.id)}"><th scope="row">${esc(p.id)}</th><td>${badge(p.status)}</td>
          <td class="quota-cell">${quotaList(p.quota)}</td>
          <td>${p.nextRefreshInSeconds === null ? (p.type === 'oauth' ? '-' : 'never (key)') : live(Date.now() + p.nextRefreshInSeconds * 1000)}</td>
          <td>${esc(ago(p.rotatedAt))}</td><td>${esc(p.fallbacks1h)} / ${esc(p.fallbacks24h)}</td></tr>`,
          )
          .join('') || '<tr><td colspan="6">No logins yet: add one on the Logins page.</td></tr>'
      }
    </tbody></table></div>`;
}

let loginMeta = { providers: [], loginProviders: [], deviceLogin: [] };

async function logins() {
  const d = await api('/profiles');
  loginMeta = d;
  const cards = d.profiles.map(profileCard).join('') || '<p>No logins yet.</p>';
  const providerOptions = (list) => list.map((p) => `<option>${esc(p)}</option>`).join('');
  return `<h1>Logins</h1><div id="reauth"></div>${cards}
    <h2>Sign in with a new login</h2>
    <form class="card inline" id="new-login">
      <label>Provider<select name="provider">${providerOptions(d.loginProviders)}</select></label>
      <label>Name<input name="name" value="default" required pattern="[A-Za-z0-9._-]+"></label>
      <label>Method<select name="mode"><option value="device">device code</option><option value="browser">browser (paste the redirect)</option></select></label>
      <label class="check"><input type="checkbox" name="force"> replace another account</label>
      <button>Sign in</button>
    </form>
    <h2>Add an API key</h2>
    <form class="card inline" id="add-key" autocomplete="off">
      <label>Provider<select name="provider">${providerOptions(d.providers.map((p) => p.id))}</select></label>
      <label>Name<input name="name" value="default" required pattern="[A-Za-z0-9._-]+"></label>
      <label>API key<input name="key" type="password" required autocomplete="off" spellcheck="false"></label>
      <label class="check"><input type="checkbox" name="force"> replace an existing profile</label>
      <button>Add key</button>
    </form>`;
}

function profileCard(p) {
  const reauth = loginMeta.loginProviders.includes(p.provider) && p.type === 'oauth';
  const history = p.history
    .map(
      (e) =>
        `<li>${esc(time(e.at))}: ${esc(e.kind)}${e.data?.generation ? ` (generation ${esc(e.data.generation)})` : ''}</li>`,
    )
    .join('');
  const STEP = {
    in_step: 'in step',
    behind: 'behind (updated on next write-back)',
    ahead: 'fresher (adopted before the next refresh)',
    missing: 'holds no copy',
    unreadable: 'unreadable',
  };
  const links = p.linkedSteps
    .map(
      (l) =>
        `<li data-step="${esc(l.state)}"><code>${esc(l.kind)}</code> ${esc(l.location)}: <span class="${l.state === 'in_step' ? 'ok' : 'warn'}">${esc(STEP[l.state] ?? l.state)}</span>${l.refreshFp ? ` <span class="mono">${esc(l.refreshFp)}</span>` : ''}${l.detail ? ` <span class="muted">${esc(l.detail)}</span>` : ''}</li>`,
    )
    .join('');
  return `<article class="card" data-profile="${esc(p.id)}" aria-labelledby="p-${esc(p.id)}">
    <h2 id="p-${esc(p.id)}">${esc(p.id)} ${badge(p.status)}</h2>
    ${p.fix ? `<p class="bad">${esc(p.statusReason ?? '')} Fix: <code>${esc(p.fix)}</code></p>` : ''}
    <dl>
      <dt>provider</dt><dd>${esc(p.provider)} (${esc(p.type)})</dd>
      <dt>account</dt><dd>${esc(p.accountId ?? '-')}</dd>
      <dt>email</dt><dd>${esc(p.email ?? '-')}</dd>
      <dt>access</dt><dd class="mono">${esc(p.accessFp)}</dd>
      <dt>refresh</dt><dd class="mono">${esc(p.refreshFp)}</dd>
      <dt>quota</dt><dd class="quota-cell">${quotaList(p.quota)}</dd>
      <dt>expires</dt><dd>${p.expires ? live(p.expires) : 'never'}</dd>
      <dt>generation</dt><dd>${esc(p.generation)}</dd>
      <dt>last rotation</dt><dd>${esc(ago(p.rotatedAt))}</dd>
      <dt>linked sources</dt><dd>${links ? `<ul>${links}</ul>` : 'none'}</dd>
      <dt>history</dt><dd>${history ? `<ul>${history}</ul>` : 'none'}</dd>
    </dl>
    <div class="actions">
      ${reauth ? `<button data-act="reauth" data-id="${esc(p.id)}" data-provider="${esc(p.provider)}" data-name="${esc(p.name)}">Re-authenticate ${esc(p.id)}</button>` : ''}
      ${p.status === 'disabled' ? `<button class="quiet" data-act="enable" data-id="${esc(p.id)}">Enable ${esc(p.id)}</button>` : ''}
      ${p.status === 'ok' ? `<button class="quiet" data-act="disable" data-id="${esc(p.id)}">Disable ${esc(p.id)}</button>` : ''}
      <button class="danger" data-act="remove" data-id="${esc(p.id)}">Remove ${esc(p.id)}</button>
    </div></article>`;
}

async function startLogin(body) {
  const box = document.getElementById('reauth');
  let state = await api('/logins', body);
  const render = () => {
    const s = state;
    let inner = `<h2>Signing in ${esc(s.profileId)}</h2>`;
    if (s.phase === 'starting') inner += '<p>Starting…</p>';
    if (s.phase === 'device')
      inner += `<p>Open <a href="${esc(s.verificationUri)}" target="_blank" rel="noopener noreferrer">${esc(s.verificationUri)}</a> and enter the code</p>
        <p class="mono user-code" data-testid="user-code">${esc(s.userCode)}</p><p class="muted">Waiting for approval…</p>`;
    if (s.phase === 'authorize')
      inner += `<p><a href="${esc(s.authorizeUrl)}" target="_blank" rel="noopener noreferrer">Open the sign-in page</a>, then paste the address the browser ends on (or the code shown).</p>
        <form class="inline" id="paste"><label>Redirect URL or code<input name="value" required autocomplete="off"></label><button>Finish sign-in</button></form>`;
    if (s.phase === 'done')
      inner += `<p class="ok">Signed in: ${esc(s.result.action)} ${esc(s.profileId)} (generation ${esc(s.result.generation)}).</p>`;
    if (s.phase === 'failed') inner += `<p class="bad" role="alert">${esc(s.error.message)}</p>`;
    for (const w of s.warnings) inner += `<p class="warn">${esc(w)}</p>`;
    box.innerHTML = `<div class="card" data-testid="login-panel">${inner}</div>`;
    box.querySelector('#paste')?.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      state = await api(`/logins/${encodeURIComponent(s.id)}/paste`, {
        value: new FormData(ev.target).get('value'),
      });
    });
  };
  render();
  box.scrollIntoView();
  let shown = '';
  while (state.phase !== 'done' && state.phase !== 'failed') {
    await new Promise((r) => setTimeout(r, 700));
    state = await api(`/logins/${encodeURIComponent(state.id)}`);
    const key = `${state.phase}|${state.userCode}|${state.warnings.length}`;
    if (key !== shown) {
      shown = key;
      render();
    }
  }
  render();
  if (state.phase === 'done') {
    const panel = box.innerHTML;
    await show();
    document.getElementById('reauth').innerHTML = panel;
  }
}

async function clients() {
  const d = await api('/clients');
  const rows = d.clients
    .map(
      (
        c,
      ) => `<tr data-client="${esc(c.name)}"><th scope="row">${esc(c.name)}</th><td class="mono">${esc(c.keyPrefix)}…</td>
      <td>${esc(c.chain ?? '(default)')}</td><td>${esc(ago(c.lastUsedAt))}</td><td>${esc(time(c.createdAt))}</td>
      <td><button class="danger" data-act="revoke" data-id="${esc(c.name)}">Revoke ${esc(c.name)}</button></td></tr>`,
    )
    .join('');
  return `<h1>Clients</h1><div id="new-key"></div>
    <div class="scroll" tabindex="0" role="region" aria-label="Clients table"><table><caption class="muted">Agents' keys (only a prefix is kept in view; the key is shown once)</caption>
    <thead><tr><th scope="col">Client</th><th scope="col">Key</th><th scope="col">Default chain</th><th scope="col">Last used</th><th scope="col">Created</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
    <tbody>${rows || '<tr><td colspan="6">No clients yet.</td></tr>'}</tbody></table></div>
    <h2>Create a client key</h2>
    <form class="card inline" id="add-client" data-gateway="${esc(d.gatewayUrl)}">
      <label>Name<input name="name" required pattern="[A-Za-z0-9._-]+"></label>
      <label>Default chain<select name="chain"><option value="">(gateway default)</option>${d.chains.map((c) => `<option>${esc(c)}</option>`).join('')}</select></label>
      <button>Create</button>
    </form>`;
}

function showNewKey(name, key, gatewayUrl) {
  const box = document.getElementById('new-key');
  box.innerHTML = `<div class="card" data-testid="new-key"><h2>Key for ${esc(name)}</h2>
    <p>Shown once: store it in the agent's provider settings now.</p>
    <div class="inline"><label>Client key<input readonly id="new-key-value" class="mono" size="48"></label>
    <button type="button" id="copy-key">Copy</button></div>
    <p>OpenAI-compatible agents (Codex, OpenClaw, SDKs):</p>
    <pre id="snippet-openai"></pre>
    <p>Anthropic-compatible agents:</p>
    <pre id="snippet-anthropic"></pre></div>`;
  // Set as properties, never as markup.
  document.getElementById('new-key-value').value = key;
  document.getElementById('snippet-openai').textContent =
    `export OPENAI_BASE_URL=${gatewayUrl}/v1\nexport OPENAI_API_KEY=${key}`;
  document.getElementById('snippet-anthropic').textContent =
    `export ANTHROPIC_BASE_URL=${gatewayUrl}\nexport ANTHROPIC_API_KEY=${key}`;
  document.getElementById('copy-key').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(key);
      say('Key copied.');
    } catch {
      document.getElementById('new-key-value').select();
      say('Select the key and copy it (the clipboard is not available here).');
    }
  });
}

async function routing() {
  const d = await api('/routing');
  const chains = d.chains
    .map(
      (c) => `<article class="card" data-chain="${esc(c.name)}" aria-labelledby="c-${esc(c.name)}">
      <h2 id="c-${esc(c.name)}">${esc(c.name)}${c.isDefault ? ' <span class="muted">(default)</span>' : ''}</h2>
      <p>Would use now: <strong data-testid="route-now">${esc(c.now ?? 'nothing usable')}</strong></p>
      <div class="scroll" tabindex="0" role="region" aria-label="Targets of ${esc(c.name)}"><table><thead><tr><th scope="col">Target</th><th scope="col">Profiles in trying order</th></tr></thead><tbody>
      ${c.targets
        .map(
          (
            t,
          ) => `<tr><th scope="row"><code>${esc(t.target)}</code>${t.strategy !== 'ordered' ? ` <span class="muted">${esc(t.strategy)}</span>` : ''}</th>
          <td>${t.candidates.map((x) => `<span class="${x.usable ? 'ok' : 'bad'}">${esc(x.profileId)}${x.why ? ` (${esc(x.why)})` : ''}</span>`).join(', ') || '<span class="bad">no profile</span>'}</td></tr>`,
        )
        .join('')}</tbody></table></div>
      <div class="actions"><button data-act="try" data-id="${esc(c.name)}">Try route ${esc(c.name)}</button></div>
      <div class="try-result" aria-live="polite"></div></article>`,
    )
    .join('');
  const cooling = d.cooldowns
    .map(
      (x) =>
        `<tr><td>${esc(x.profileId)}</td><td>${esc(x.model)}</td><td>${esc(x.reason)}</td><td>${live(x.until)}</td></tr>`,
    )
    .join('');
  return `<h1>Routing</h1>${chains}<h2>Cooldowns in force</h2>
    ${cooling ? `<div class="scroll" tabindex="0" role="region" aria-label="Cooldowns table"><table><thead><tr><th scope="col">Profile</th><th scope="col">Model</th><th scope="col">Reason</th><th scope="col">Ends</th></tr></thead><tbody>${cooling}</tbody></table></div>` : '<p>None.</p>'}`;
}

function tryResult(r) {
  const ok = r.status >= 200 && r.status < 300;
  return `<dl data-testid="try-result">
    <dt>answer</dt><dd class="${ok ? 'ok' : 'bad'}">HTTP ${esc(r.status)} in ${esc(r.ms)} ms</dd>
    <dt>served by</dt><dd>${esc(r.target ?? '-')} @ ${esc(r.profile ?? '-')}</dd>
    <dt>fallbacks</dt><dd>${esc(r.fallback ?? 'none')}</dd>
    ${r.reply ? `<dt>reply</dt><dd>${esc(r.reply)}</dd>` : ''}
    ${r.error ? `<dt>error</dt><dd class="bad">${esc(r.error)}</dd>` : ''}</dl>`;
}

// ---- events -----------------------------------------------------------------------------------

let eventSource = null;
let chartData = [];
const eventFilter = { profile: '', kind: '' };

function eventRow(e) {
  const data = Object.entries(e.data ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' ');
  return `<tr data-kind="${esc(e.kind)}"><td>${esc(time(e.at))}</td><td><strong>${esc(e.kind)}</strong></td><td>${esc(e.profileId ?? '-')}</td><td class="mono">${esc(data)}</td></tr>`;
}

function chartSvg() {
  const max = Math.max(1, ...chartData.map((b) => Math.max(b.fallbacks, b.rotations)));
  const w = 100 / Math.max(1, chartData.length);
  const bars = chartData
    .map((b, i) => {
      const fh = (b.fallbacks / max) * 90;
      const rh = (b.rotations / max) * 90;
      return `<rect class="f" x="${i * w + w * 0.1}" y="${100 - fh}" width="${w * 0.38}" height="${fh}"><title>${esc(b.fallbacks)} fallbacks</title></rect>
        <rect class="r" x="${i * w + w * 0.52}" y="${100 - rh}" width="${w * 0.38}" height="${rh}"><title>${esc(b.rotations)} rotations</title></rect>`;
    })
    .join('');
  const totals = chartData.reduce((a, b) => ({ f: a.f + b.fallbacks, r: a.r + b.rotations }), { f: 0, r: 0 });
  return `<svg class="chart" viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-label="Fallbacks and rotations per hour, last 24 hours: ${totals.f} fallbacks, ${totals.r} rotations">${bars}</svg>
    <p class="legend"><span class="bad">■ fallbacks <span data-testid="chart-fallbacks">${totals.f}</span></span><span class="ok">■ rotations <span data-testid="chart-rotations">${totals.r}</span></span> <span class="muted">per hour, last 24 h</span></p>`;
}

async function events() {
  const q = new URLSearchParams({ limit: '200' });
  if (eventFilter.profile) q.set('profile', eventFilter.profile);
  if (eventFilter.kind) q.set('kind', eventFilter.kind);
  const [d, profs] = await Promise.all([api(`/events?${q}`), api('/profiles')]);
  chartData = d.chart;
  openStream();
  const opt = (v, cur) =>
    `<option value="${esc(v)}"${v === cur ? ' selected' : ''}>${esc(v || 'all')}</option>`;
  return `<h1>Events</h1>
    <div class="card"><h2>Fallbacks and rotations</h2><div id="chart">${chartSvg()}</div></div>
    <form class="inline" id="event-filter">
      <label>Profile<select name="profile">${['', ...profs.profiles.map((p) => p.id)].map((v) => opt(v, eventFilter.profile)).join('')}</select></label>
      <label>Kind<select name="kind">${['', ...EVENT_KINDS].map((v) => opt(v, eventFilter.kind)).join('')}</select></label>
      <span class="muted" id="live-state">live</span>
    </form>
    <div class="scroll" tabindex="0" role="region" aria-label="Events table"><table><caption class="muted">Newest first; new events appear live</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Profile</th><th scope="col">Details</th></tr></thead>
      <tbody id="event-rows">${d.events.map(eventRow).join('')}</tbody></table></div>`;
}

function openStream() {
  if (eventSource) return;
  eventSource = new EventSource('/ui/api/events/stream');
  eventSource.addEventListener('open', () => {
    document.getElementById('live-state')?.replaceChildren('live');
  });
  eventSource.addEventListener('error', () => {
    document.getElementById('live-state')?.replaceChildren('reconnecting…');
  });
  eventSource.addEventListener('store-event', (msg) => {
    const e = JSON.parse(msg.data);
    const last = chartData.at(-1);
    if (last && (e.kind === 'fallback' || e.kind === 'rotated' || e.kind === 'adopted')) {
      if (e.kind === 'fallback') last.fallbacks++;
      else last.rotations++;
      const chart = document.getElementById('chart');
      if (chart) chart.innerHTML = chartSvg();
    }
    if (eventFilter.profile && e.profileId !== eventFilter.profile) return;
    if (eventFilter.kind && e.kind !== eventFilter.kind) return;
    document.getElementById('event-rows')?.insertAdjacentHTML('afterbegin', eventRow(e));
  });
}

function closeStream() {
  eventSource?.close();
  eventSource = null;
}

// ---- doctor -----------------------------------------------------------------------------------

const SEVERITY = { ok: '✓', warn: '!', error: '✗' };

function findingsByAgent(report) {
  const groups = new Map();
  for (const check of report.checks) {
    if (check.status === 'crashed') {
      const list = groups.get('checks that could not run') ?? [];
      list.push({
        severity: 'error',
        code: 'crashed',
        message: `${check.title}: ${check.error ?? 'crashed'}`,
      });
      groups.set('checks that could not run', list);
    }
    for (const f of check.findings) {
      const key = f.agentId ? `agent ${f.agentId} (${f.home ?? '-'})` : (f.home ?? 'clawkeep');
      const list = groups.get(key) ?? [];
      list.push(f);
      groups.set(key, list);
    }
  }
  return groups;
}

function findingItem(f) {
  const fps = Object.entries(f.fingerprints ?? {})
    .map(([role, fp]) => `${role} <code>${esc(fp)}</code>`)
    .join(', ');
  return `<li data-code="${esc(f.code)}"><span class="${f.severity === 'error' ? 'bad' : f.severity === 'warn' ? 'warn' : 'ok'}" aria-hidden="true">${SEVERITY[f.severity] ?? ''}</span>
    <strong>${esc(f.profileId ?? '')}</strong> [${esc(f.code)}] ${esc(f.message)}
    ${fps ? `<br><span class="muted">fingerprints:</span> ${fps}` : ''}
    ${f.fix ? `<br><span class="muted">repair:</span> ${esc(f.fix)}` : ''}
    ${f.next ? `<br><span class="muted">next:</span> <code>${esc(f.next)}</code>` : ''}</li>`;
}

function doctorReport(report) {
  const groups = [...findingsByAgent(report)]
    .map(
      ([key, list]) =>
        `<article class="card" aria-label="${esc(key)}"><h3>${esc(key)}</h3><ul>${list.map(findingItem).join('')}</ul></article>`,
    )
    .join('');
  return groups || '<p class="ok">No findings: every store is healthy.</p>';
}

function fixesList(fixes) {
  return `<ul data-testid="doctor-fixes">${fixes
    .map(
      (x) =>
        `<li><strong class="${x.result.status === 'failed' ? 'bad' : 'ok'}">${esc(x.result.status)}</strong> ${esc(x.finding.agentId ? `agent ${x.finding.agentId}` : '')} ${esc(x.finding.profileId ?? '')} [${esc(x.finding.code)}]: ${esc(x.result.message)}</li>`,
    )
    .join('')}</ul>`;
}

async function doctor() {
  const report = await api('/doctor');
  const fixable = report.checks.some((c) => c.findings.some((f) => f.fix));
  return `<h1>Doctor</h1>
    <p>Diagnosed ${esc(report.openclawHomes.length)} OpenClaw home(s) ${report.openclawHomes.map((h) => `<code>${esc(h)}</code>`).join(' ')} and the clawkeep home <code>${esc(report.clawkeepHome)}</code>.</p>
    <div id="doctor-findings" data-testid="doctor-findings">${doctorReport(report)}</div>
    <div class="actions">
      <button class="quiet" data-act="doctor-run">Diagnose again</button>
      ${fixable ? '<button data-act="doctor-preview">Preview repair</button>' : ''}
    </div>
    <div id="doctor-plan" aria-live="polite"></div>`;
}

async function doctorAction(what) {
  const plan = document.getElementById('doctor-plan');
  if (what === 'doctor-run') return show();
  if (what === 'doctor-preview') {
    const r = await api('/doctor/preview', {});
    const n = (r.fixes ?? []).length;
    plan.innerHTML = `<div class="card" data-testid="doctor-preview"><h2>Repair preview (nothing changed yet)</h2>${fixesList(r.fixes ?? [])}
      ${n ? '<button class="danger" data-act="doctor-apply">Apply repair</button>' : '<p>Nothing to repair automatically.</p>'}</div>`;
    return;
  }
  if (!confirm('Apply the repairs? Every file is backed up or archived first; the fresher token is kept.'))
    return;
  const r = await api('/doctor/apply', {});
  document.getElementById('doctor-findings').innerHTML = doctorReport(r);
  plan.innerHTML = `<div class="card" data-testid="doctor-applied"><h2>Repair applied</h2>${fixesList(r.fixes ?? [])}
    <p>Each repair is recorded as a <a href="#/events">repaired event</a>.</p></div>`;
}

// ---- router and actions -----------------------------------------------------------------------

const PAGES = { overview, logins, clients, routing, events, doctor };

async function show() {
  const name = location.hash.replace(/^#\/?/, '') || 'overview';
  const page = PAGES[name] ?? overview;
  if (page !== events) closeStream();
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    view.innerHTML = await page();
    document.title = `${name[0].toUpperCase()}${name.slice(1)} · clawkeep`;
  } catch (err) {
    if (err.code === 'dashboard_unauthorized') {
      view.innerHTML =
        '<h1>Signed out</h1><p>Run <code>clawkeep dashboard</code> for a new sign-in link.</p>';
      return;
    }
    view.innerHTML = `<h1>Could not load</h1><p class="bad" role="alert">${esc(err.message)}</p>`;
  }
}

async function act(button) {
  const { act: what, id } = button.dataset;
  const path = encodeURIComponent(id ?? '');
  try {
    if (what === 'remove') {
      if (!confirm(`Remove ${id}? A backup is written under the clawkeep home first.`)) return;
      const r = await api(`/profiles/${path}/remove`, {});
      say(`Removed ${id}; backup: ${r.backup}`);
    } else if (what === 'enable' || what === 'disable') {
      await api(`/profiles/${path}/${what}`, {});
      say(`${id}: ${what}d`);
    } else if (what === 'revoke') {
      if (!confirm(`Revoke the key of ${id}? Agents using it stop working at once.`)) return;
      await api(`/clients/${path}/revoke`, {});
      say(`Client ${id} revoked.`);
    } else if (what === 'reauth') {
      say('');
      // Device code where the provider has one configured; otherwise PKCE with a pasted redirect.
      const mode = loginMeta.deviceLogin.includes(button.dataset.provider) ? 'device' : 'browser';
      await startLogin({ provider: button.dataset.provider, name: button.dataset.name, mode, force: false });
      return;
    } else if (what.startsWith('doctor-')) {
      await doctorAction(what);
      return;
    } else if (what === 'try') {
      const box = button.closest('article').querySelector('.try-result');
      box.textContent = 'Sending a tiny request…';
      box.innerHTML = tryResult(await api('/routing/try', { chain: id }));
      return;
    }
    await show();
  } catch (err) {
    say(err.message, 'bad');
  }
}

document.addEventListener('click', (ev) => {
  const button = ev.target.closest('button[data-act]');
  if (button) void act(button);
});

document.addEventListener('submit', async (ev) => {
  const form = ev.target;
  if (!['add-key', 'add-client', 'new-login'].includes(form.id)) return;
  ev.preventDefault();
  const f = Object.fromEntries(new FormData(form));
  try {
    if (form.id === 'add-key') {
      const r = await api('/profiles/keys', {
        provider: f.provider,
        name: f.name,
        key: f.key,
        force: f.force === 'on',
      });
      form.reset();
      await show();
      say(`Stored ${r.profile.id} (API key ${r.profile.accessFp}).`);
    } else if (form.id === 'add-client') {
      const r = await api('/clients', { name: f.name, chain: f.chain });
      await show();
      showNewKey(r.client.name, r.key, form.dataset.gateway);
      say(`Client ${r.client.name} created.`);
    } else {
      say('');
      await startLogin({ provider: f.provider, name: f.name, mode: f.mode, force: f.force === 'on' });
    }
  } catch (err) {
    say(err.message, 'bad');
  }
});

document.addEventListener('change', (ev) => {
  if (ev.target.closest('#event-filter')) {
    eventFilter[ev.target.name] = ev.target.value;
    void show();
  }
});

document.getElementById('signout').addEventListener('click', async () => {
  await api('/signout', {}).catch(() => {});
  closeStream();
  view.innerHTML = '<h1>Signed out</h1><p>Run <code>clawkeep dashboard</code> for a new sign-in link.</p>';
});

window.addEventListener('hashchange', () => {
  say('');
  void show().then(() => view.focus());
});
void show();
