// Admin (keys with the admin scope): keys (create, edit options, rotate, revoke), accounts and credits with usage per operation and per
// day (GET /v1/admin/accounts/{account}/usage/daily, a stacked column chart and its table), the
// audit log with filters, and IP blocks and bans with a way to lift them. All under /v1/admin.
import { api, attempt, barChart, field, h, mount } from '../ui.js';

const enc = encodeURIComponent;
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function adminPage(el) {
  mount(el, h('h1', {}, 'Admin'), h('nav', { class: 'tabs', 'aria-label': 'Admin sections' }, ['keys', 'accounts', 'audit', 'bans'].map((s) => h('a', { href: `#admin-${s}` }, s))), keysSection(), accountsSection(), auditSection(), bansSection());
}

function keysSection() {
  const err = h('div');
  const secret = h('div', { 'aria-live': 'polite' });
  const table = h('div', { id: 'key-list' });
  const editor = h('div', { id: 'key-editor' });
  const f = {
    account: h('input', { id: 'key-account', value: 'default' }),
    name: h('input', { id: 'key-name' }),
    scopes: h('input', { id: 'key-scopes', value: 'all' }),
    rate: h('input', { id: 'key-rate', type: 'number', min: 0, step: 'any' }),
    burst: h('input', { id: 'key-burst', type: 'number', min: 1 }),
    ips: h('input', { id: 'key-ips', placeholder: '10.0.0.0/8, 192.0.2.7' }),
    expires: h('input', { id: 'key-expires', type: 'datetime-local' }),
    login: h('input', { id: 'key-login', autocomplete: 'off' }),
    password: h('input', { id: 'key-password', type: 'password', autocomplete: 'new-password' }),
  };
  const load = async () => {
    const r = await attempt(err, () => api('GET', '/v1/admin/keys'));
    if (!r) return;
    mount(
      table,
      h(
        'table',
        {},
        h('caption', {}, `${r.keys.length} keys`),
        h('thead', {}, h('tr', {}, ['id', 'account', 'name', 'scopes', 'rate', 'allow IPs', 'expires', 'state', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          r.keys.map((k) =>
            h(
              'tr',
              { 'data-key-id': k.id },
              h('th', { scope: 'row' }, k.id),
              h('td', {}, k.account),
              h('td', {}, k.name ?? '', k.login ? h('div', { class: 'muted' }, `login ${k.login}`) : null),
              h('td', {}, k.scopes.join(', ')),
              h('td', {}, k.rate_limit ? `${k.rate_limit.per_second}/s, burst ${k.rate_limit.burst}` : 'default'),
              h('td', {}, k.allow_ips?.length ? k.allow_ips.join(', ') : 'any'),
              h('td', {}, k.expires_at ? new Date(k.expires_at).toLocaleString() : 'never'),
              h('td', {}, k.revoked_at ? 'revoked' : 'active'),
              h(
                'td',
                {},
                k.revoked_at ? '' : h('button', { type: 'button', class: 'small', 'aria-label': `Edit key ${k.id}`, onclick: () => edit(k) }, 'Edit'),
                k.revoked_at ? '' : ' ',
                k.revoked_at
                  ? ''
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'small',
                        'aria-label': `Rotate key ${k.id}`,
                        onclick: async () => {
                          if (!confirm(`Give key ${k.id} a new secret? The old one stops working.`)) return;
                          const r = await attempt(err, () => api('POST', `/v1/admin/keys/${enc(k.id)}/rotate`));
                          if (r) mount(secret, h('div', { class: 'secret', role: 'status' }, h('p', {}, `Key ${r.id} has a new secret, shown this once; copy it now:`), h('code', { id: 'new-secret' }, r.secret)));
                        },
                      },
                      'Rotate',
                    ),
                k.revoked_at ? '' : ' ',
                k.revoked_at
                  ? ''
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'small danger',
                        'aria-label': `Revoke key ${k.id}`,
                        onclick: async () => {
                          if (!confirm(`Revoke key ${k.id}? Clients using it are refused at once.`)) return;
                          await attempt(err, () => api('DELETE', `/v1/admin/keys/${enc(k.id)}`));
                          load();
                        },
                      },
                      'Revoke',
                    ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  // Edits a key's options in place (PATCH): the form starts from the key's values and sends them
  // all, an emptied rate or expiry as null (the server default, never), an emptied list as [].
  const edit = (k) => {
    const localTime = (iso) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '');
    const e = {
      name: h('input', { id: 'edit-name', value: k.name ?? '' }),
      scopes: h('input', { id: 'edit-scopes', value: k.scopes.join(',') }),
      rate: h('input', { id: 'edit-rate', type: 'number', min: 0, step: 'any', value: k.rate_limit ? String(k.rate_limit.per_second) : '' }),
      burst: h('input', { id: 'edit-burst', type: 'number', min: 1, value: k.rate_limit ? String(k.rate_limit.burst) : '' }),
      ips: h('input', { id: 'edit-ips', value: (k.allow_ips ?? []).join(', ') }),
      expires: h('input', { id: 'edit-expires', type: 'datetime-local', value: localTime(k.expires_at) }),
      headerOnly: h('input', { id: 'edit-header-only', type: 'checkbox', checked: k.header_only }),
    };
    const save = async (ev) => {
      ev.preventDefault();
      const body = {
        name: e.name.value,
        scopes: list(e.scopes.value),
        allow_ips: list(e.ips.value),
        rate_per_second: e.rate.value ? Number(e.rate.value) : null,
        expires_at: e.expires.value ? new Date(e.expires.value).toISOString() : null,
        header_only: e.headerOnly.checked,
      };
      if (e.rate.value && e.burst.value) body.burst = Number(e.burst.value);
      const r = await attempt(err, () => api('PATCH', `/v1/admin/keys/${enc(k.id)}`, { json: body }));
      if (!r) return;
      mount(editor, h('p', { role: 'status' }, `Key ${r.id} saved; its secret is unchanged.`));
      load();
    };
    mount(
      editor,
      h(
        'form',
        { class: 'card grid-form', id: 'edit-key', onsubmit: save },
        h('h3', {}, `Edit key ${k.id}`),
        field('Name', e.name),
        field('Scopes', e.scopes, 'comma-separated'),
        field('Rate per second', e.rate, 'empty: the server default'),
        field('Burst', e.burst),
        field('IP allow-list', e.ips, 'empty: any'),
        field('Expires', e.expires, 'empty: never'),
        field('Only in a header', e.headerOnly, 'refuse this key in a URL or form field'),
        h('button', { type: 'submit' }, 'Save key'),
        ' ',
        h('button', { type: 'button', onclick: () => mount(editor) }, 'Cancel'),
      ),
    );
    e.name.focus();
  };
  const create = async (e) => {
    e.preventDefault();
    const body = { account: f.account.value || undefined, name: f.name.value || undefined, scopes: list(f.scopes.value) };
    if (f.rate.value) body.rate_per_second = Number(f.rate.value);
    if (f.burst.value) body.burst = Number(f.burst.value);
    if (f.ips.value) body.allow_ips = list(f.ips.value);
    if (f.expires.value) body.expires_at = new Date(f.expires.value).toISOString();
    if (f.login.value) body.login = f.login.value;
    if (f.password.value) body.password = f.password.value;
    const k = await attempt(err, () => api('POST', '/v1/admin/keys', { json: body }));
    if (!k) return;
    f.password.value = '';
    mount(secret, h('div', { class: 'secret', role: 'status' }, h('p', {}, `Key ${k.id} created. Its secret is shown this once; copy it now:`), h('code', { id: 'new-secret' }, k.secret)));
    load();
  };
  load();
  return h(
    'section',
    { id: 'admin-keys' },
    h('h2', {}, 'API keys'),
    h(
      'form',
      { class: 'card grid-form', id: 'create-key', onsubmit: create },
      h('h3', {}, 'New key'),
      field('Account', f.account),
      field('Name', f.name),
      field('Scopes', f.scopes, 'comma-separated, e.g. detect,verify,search or all, admin'),
      field('Rate per second', f.rate, 'empty: the server default'),
      field('Burst', f.burst),
      field('IP allow-list', f.ips, 'comma-separated addresses or CIDR ranges; empty: any'),
      field('Expires', f.expires, 'empty: never'),
      field('Login (panel clients)', f.login, 'with a password: a login:password key'),
      field('Password', f.password),
      h('button', { type: 'submit' }, 'Create key'),
    ),
    secret,
    err,
    editor,
    table,
  );
}

function accountsSection() {
  const err = h('div');
  const pick = h('select', { id: 'account-pick' });
  const out = h('div', { id: 'account-report' });
  const credits = h('input', { id: 'account-credits', type: 'number', min: 0, placeholder: 'empty: unlimited' });
  const show = async () => {
    if (!pick.value) return;
    const r = await attempt(err, () => api('GET', `/v1/admin/accounts/${enc(pick.value)}`));
    if (r) report(r);
  };
  const report = (r) => {
    credits.value = r.monthly_credits ?? '';
    const rows = Object.entries(r.usage ?? {}).map(([label, value]) => ({ label, value }));
    mount(
      out,
      h('p', {}, `${r.account}: ${r.spent} credits spent in ${r.period}, ${r.remaining ?? 'unlimited'} left of ${r.monthly_credits ?? 'unlimited'}; resets ${new Date(r.resets_at).toLocaleDateString()}.`),
      rows.length ? barChart(rows, { title: `Usage per operation in ${r.period}` }) : h('p', { class: 'muted' }, 'No usage this month.'),
      daily,
    );
    loadDaily(r.account);
  };
  const daily = h('div', { id: 'daily-usage' });
  const loadDaily = async (account) => {
    const d = await attempt(daily, () => api('GET', `/v1/admin/accounts/${enc(account)}/usage/daily?days=30`));
    if (!d) return;
    if (!d.kept) return mount(daily, h('p', { class: 'muted' }, 'This server’s account store keeps no usage per day.'));
    mount(daily, dailyChart(d));
  };
  api('GET', '/v1/admin/keys')
    .then((r) => {
      const accounts = [...new Set(r.keys.map((k) => k.account))].sort();
      mount(pick, accounts.map((a) => h('option', { value: a }, a)));
      show();
    })
    .catch(() => {});
  return h(
    'section',
    { id: 'admin-accounts' },
    h('h2', {}, 'Accounts and credits'),
    h('div', { class: 'inline' }, field('Account', pick), h('button', { type: 'button', onclick: show }, 'Show')),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: async (e) => {
          e.preventDefault();
          const r = await attempt(err, () => api('PUT', `/v1/admin/accounts/${enc(pick.value)}/credits`, { json: { monthly_credits: credits.value === '' ? null : Number(credits.value) } }));
          if (r) report(r);
        },
      },
      field('Monthly credits', credits),
      h('button', { type: 'submit' }, 'Set credits'),
    ),
    err,
    out,
  );
}

function auditSection() {
  const err = h('div');
  const out = h('div', { id: 'audit-list' });
  const f = { account: h('input', { id: 'audit-account' }), action: h('input', { id: 'audit-action', placeholder: 'key.create' }), since: h('input', { id: 'audit-since', type: 'date' }), until: h('input', { id: 'audit-until', type: 'date' }) };
  const load = async (e) => {
    e?.preventDefault();
    const q = new URLSearchParams({ limit: '100' });
    if (f.account.value) q.set('account', f.account.value);
    if (f.action.value) q.set('action', f.action.value);
    if (f.since.value) q.set('since', new Date(f.since.value).toISOString());
    if (f.until.value) q.set('until', new Date(`${f.until.value}T23:59:59Z`).toISOString());
    const r = await attempt(err, () => api('GET', `/v1/admin/audit?${q}`));
    if (!r) return;
    mount(
      out,
      h(
        'table',
        {},
        h('caption', {}, `${r.entries.length} entries, newest first`),
        h('thead', {}, h('tr', {}, ['at', 'action', 'target', 'status', 'account', 'key', 'ip'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, r.entries.map((a) => h('tr', {}, h('td', {}, new Date(a.at).toLocaleString()), h('td', {}, a.action), h('td', {}, a.target ?? ''), h('td', {}, a.status), h('td', {}, a.account ?? ''), h('td', {}, a.key_id ?? ''), h('td', {}, a.ip ?? '')))),
      ),
    );
  };
  load();
  return h('section', { id: 'admin-audit' }, h('h2', {}, 'Audit log'), h('form', { class: 'inline', onsubmit: load }, field('Account', f.account), field('Action', f.action), field('Since', f.since), field('Until', f.until), h('button', { type: 'submit' }, 'Filter')), err, out);
}

function bansSection() {
  const err = h('div');
  const out = h('div', { id: 'ban-list' });
  const load = async () => {
    const r = await attempt(err, () => api('GET', '/v1/admin/bans'));
    if (!r) return;
    mount(
      out,
      r.bans.length === 0
        ? h('p', { class: 'muted' }, 'No IP is blocked or banned.')
        : h(
            'table',
            {},
            h('caption', {}, 'Blocks and bans in force'),
            h('thead', {}, h('tr', {}, ['ip', 'kind', 'until', 'strikes', 'reason', ''].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              {},
              r.bans.map((b) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, b.ip),
                  h('td', {}, b.kind),
                  h('td', {}, new Date(b.until).toLocaleString()),
                  h('td', {}, b.strikes),
                  h('td', {}, b.reason ?? ''),
                  h('td', {}, h('button', { type: 'button', class: 'small', 'aria-label': `Lift ${b.ip}`, onclick: async () => (await attempt(err, () => api('DELETE', `/v1/admin/bans/${enc(b.ip)}`)), load()) }, 'Lift')),
                ),
              ),
            ),
          ),
    );
  };
  load();
  return h('section', { id: 'admin-bans' }, h('h2', {}, 'Blocked and banned IPs'), h('button', { type: 'button', class: 'small', onclick: load }, 'Refresh'), err, out);
}

const OPS = ['detect', 'templates', 'verify', 'enrol', 'search'];

/** Credits per day for the last 30 days as stacked columns by operation, with the numbers in a table under it. */
function dailyChart(d) {
  const ops = [...new Set([...OPS, ...d.days.flatMap((x) => Object.keys(x.usage))])].filter((op) => d.days.some((x) => x.usage[op]));
  const max = Math.max(1, ...d.days.map((x) => x.total));
  const W = 520;
  const H = 160;
  const left = 34;
  const colW = (W - left) / d.days.length;
  const y = (v) => H - 18 - (v / max) * (H - 30);
  const total = d.days.reduce((a, x) => a + x.total, 0);
  const title = `Credits per day, ${d.from} to ${d.to}: ${total} in all`;
  return h(
    'figure',
    {},
    h(
      'svg',
      { class: 'chart daily', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title },
      h('title', {}, title),
      h('line', { x1: left, x2: W, y1: y(0), y2: y(0), class: 'grid' }),
      h('line', { x1: left, x2: W, y1: y(max), y2: y(max), class: 'grid' }),
      h('text', { x: 0, y: y(max) + 4, class: 'chart-label' }, String(max)),
      h('text', { x: 0, y: y(0) + 4, class: 'chart-label' }, '0'),
      d.days.map((x, i) => {
        let acc = 0;
        return h(
          'g',
          { 'data-day': x.day, 'data-total': x.total },
          ops.map((op) => {
            const v = x.usage[op] ?? 0;
            if (!v) return null;
            const r = h('rect', { x: left + i * colW + 1, y: y(acc + v), width: Math.max(1, colW - 2), height: y(acc) - y(acc + v), class: `op op-${OPS.indexOf(op) >= 0 ? op : 'other'}` }, h('title', {}, `${x.day} ${op}: ${v}`));
            acc += v;
            return r;
          }),
          i === d.days.length - 1
            ? h('text', { x: W, y: H - 4, class: 'chart-label', 'text-anchor': 'end' }, x.day.slice(5))
            : (d.days.length - 1 - i) % 7 === 0 && d.days.length - 1 - i >= 4
              ? h('text', { x: left + i * colW, y: H - 4, class: 'chart-label' }, x.day.slice(5))
              : null,
        );
      }),
    ),
    h('figcaption', { class: 'legend' }, ops.length ? ops.map((op) => h('span', {}, h('span', { class: `swatch op-${OPS.indexOf(op) >= 0 ? op : 'other'}` }), ` ${op} `)) : h('span', { class: 'muted' }, 'No credits spent in these 30 days.')),
    h(
      'details',
      {},
      h('summary', {}, 'The numbers per day'),
      h(
        'table',
        { id: 'daily-table' },
        h('caption', {}, title),
        h('thead', {}, h('tr', {}, ['day', 'total', ...ops].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, d.days.filter((x) => x.total > 0).map((x) => h('tr', { 'data-day': x.day }, h('th', { scope: 'row' }, x.day), h('td', {}, x.total), ops.map((op) => h('td', {}, x.usage[op] ?? 0))))),
      ),
    ),
  );
}
