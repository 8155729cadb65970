// Small DOM and API helpers shared by every page. No framework: the console is a thin view of
// /v1, and every call it makes is one a curl user can make with the same key.

/** Creates an element: h('button', { onclick, class: 'x' }, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'rect', 'circle', 'text', 'g', 'line', 'path', 'polyline', 'title'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'value' && !svg) el.value = v;
    else if (k === 'checked' && !svg) el.checked = true;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const KEY = 'visage.key';
export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(v) {
    if (v) sessionStorage.setItem(KEY, v);
    else sessionStorage.removeItem(KEY);
  },
  /** GET /v1/account of the signed-in key (account, key id, scopes, credits). */
  account: null,
};

/** An error as the API stated it: its code and reason, never reworded. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.reason ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? `HTTP_${status}`;
    this.reason = body?.reason ?? '';
    this.requestId = body?.request_id;
    this.body = body;
  }
}

/**
 * Calls /v1 with the session's key in the x-api-key header (never in a URL).
 * o.json: a JSON body; o.form: a FormData; o.blob: answer as a Blob.
 */
export async function api(method, path, o = {}) {
  const headers = {};
  const key = o.key ?? session.key;
  if (key) headers['x-api-key'] = key;
  let body;
  if (o.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.json);
  } else if (o.form) body = o.form;
  const res = await fetch(path, { method, headers, body, signal: o.signal });
  if (o.blob && res.ok) return res.blob();
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { code: `HTTP_${res.status}`, reason: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** The API's error, shown as stated (code, reason, HTTP status and request id). */
export function errorBox(err) {
  if (!(err instanceof ApiError)) return h('div', { class: 'error', role: 'alert' }, h('strong', {}, 'Error'), ' ', String(err?.message ?? err));
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-code': err.code },
    h('strong', { class: 'error-code' }, err.code),
    ' ',
    h('span', { class: 'error-reason' }, err.reason),
    h('span', { class: 'muted' }, ` (HTTP ${err.status}${err.requestId ? `, request ${err.requestId}` : ''})`),
  );
}

/** Runs fn and shows its error in `where`; returns fn's value or undefined. */
export async function attempt(where, fn) {
  where.replaceChildren();
  try {
    return await fn();
  } catch (e) {
    where.replaceChildren(errorBox(e));
    return undefined;
  }
}

/** A labelled field; a hint is linked with aria-describedby, so the label stays short. */
let fieldIds = 0;
export function field(label, control, hint) {
  if (!control.id) control.id = `field-${++fieldIds}`;
  const hintEl = hint ? h('small', { class: 'muted', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A drop zone with a file picker inside; calls onFiles(File[]). */
export function dropZone({ label, multiple = false, onFiles, id }) {
  const input = h('input', { type: 'file', accept: 'image/*', multiple, id, onchange: () => input.files?.length && onFiles([...input.files]) });
  const zone = h('div', { class: 'drop' }, h('label', { for: id }, label), input, h('small', { class: 'muted' }, 'or drop photos here'));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...(e.dataTransfer?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  });
  return zone;
}

export const pct = (x) => `${(x * 100).toFixed(1)} %`;
export const fmt = (x, d = 3) => (typeof x === 'number' ? x.toFixed(d) : '–');
export const origin = () => location.origin;

/** A horizontal bar chart as SVG: rows [{label, value}]. */
export function barChart(rows, { title, unit = '' } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 22;
  const height = rows.length * rowH + 4;
  return h(
    'svg',
    { class: 'chart', viewBox: `0 0 400 ${height}`, role: 'img', 'aria-label': title ?? 'chart' },
    h('title', {}, title ?? ''),
    rows.map((r, i) =>
      h(
        'g',
        {},
        h('text', { x: 0, y: i * rowH + 15, class: 'chart-label' }, r.label),
        h('rect', { x: 130, y: i * rowH + 4, width: Math.max(1, (r.value / max) * 220), height: 14, class: 'chart-bar' }),
        h('text', { x: 134 + (r.value / max) * 220, y: i * rowH + 15, class: 'chart-label' }, `${r.value}${unit}`),
      ),
    ),
  );
}
