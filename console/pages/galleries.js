// Galleries: list, create, rename, delete; one gallery's faces as a paged, searchable grid with
// multi-select delete and meta editing; enrolment of many photos with a live per-file list; and
// search with a photo (ranked candidates, or "unknown" when nobody passes the threshold).
import { api, attempt, dropZone, field, fmt, h, mount } from '../ui.js';

const PAGE = 24;
const enc = encodeURIComponent;

export function galleriesPage(el, [name]) {
  if (name) return galleryView(el, decodeURIComponent(name));
  return galleryList(el);
}

async function galleryList(el) {
  const err = h('div');
  const list = h('div', { id: 'gallery-list' });
  const nameIn = h('input', { id: 'new-gallery-name', required: true, pattern: '[A-Za-z0-9_.\\-]{1,64}' });
  const desc = h('input', { id: 'new-gallery-desc' });
  const thumbs = h('input', { type: 'checkbox', id: 'new-gallery-thumbs', checked: true });
  const load = async () => {
    const r = await attempt(err, () => api('GET', '/v1/galleries'));
    if (!r) return;
    mount(
      list,
      r.galleries.length === 0
        ? h('p', { class: 'muted' }, 'No galleries yet.')
        : h(
            'table',
            {},
            h('caption', {}, 'Your galleries'),
            h('thead', {}, h('tr', {}, ['name', 'faces', 'thumbnails', 'model', 'actions'].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              {},
              r.galleries.map((g) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, h('a', { href: `#/galleries/${enc(g.name)}` }, g.name), g.description ? h('div', { class: 'muted' }, g.description) : null),
                  h('td', {}, g.face_count),
                  h('td', {}, g.thumbnails ? 'kept' : 'off'),
                  h('td', { class: 'muted' }, g.model),
                  h(
                    'td',
                    {},
                    h('button', { type: 'button', class: 'small', 'aria-label': `Rename ${g.name}`, onclick: () => rename(g.name) }, 'Rename'),
                    ' ',
                    h('button', { type: 'button', class: 'small danger', 'aria-label': `Delete ${g.name}`, onclick: () => remove(g.name) }, 'Delete'),
                  ),
                ),
              ),
            ),
          ),
    );
  };
  const rename = async (g) => {
    const to = prompt(`New name for ${g}`, g);
    if (to && to !== g) await attempt(err, () => api('PATCH', `/v1/galleries/${enc(g)}`, { json: { name: to } }));
    load();
  };
  const remove = async (g) => {
    if (!confirm(`Delete gallery ${g} with all its faces?`)) return;
    await attempt(err, () => api('DELETE', `/v1/galleries/${enc(g)}`));
    load();
  };
  mount(
    el,
    h('h1', {}, 'Galleries'),
    h(
      'form',
      {
        class: 'card inline',
        id: 'create-gallery',
        onsubmit: async (e) => {
          e.preventDefault();
          const ok = await attempt(err, () => api('POST', '/v1/galleries', { json: { name: nameIn.value, description: desc.value || undefined, thumbnails: thumbs.checked } }));
          if (ok) location.hash = `#/galleries/${enc(ok.name)}`;
        },
      },
      h('h2', {}, 'New gallery'),
      field('Name', nameIn, 'letters, digits, _ . -'),
      field('Description', desc),
      h('label', { class: 'check' }, thumbs, ' Keep face thumbnails'),
      h('button', { type: 'submit' }, 'Create'),
    ),
    err,
    list,
  );
  await load();
}

async function galleryView(el, name) {
  const base = `/v1/galleries/${enc(name)}`;
  const err = h('div');
  const grid = h('div', { class: 'grid', id: 'face-grid' });
  const pager = h('div', { class: 'pager' });
  const info = h('p', { class: 'muted' });
  const filter = h('input', { type: 'search', id: 'face-filter', placeholder: 'text in id or meta' });
  const selected = new Set();
  const urls = [];
  let cursors = [null];
  let gallery = null;
  let current = 0;

  const delSel = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      id: 'delete-selected',
      disabled: true,
      onclick: async () => {
        if (!confirm(`Delete ${selected.size} face(s)?`)) return;
        await attempt(err, () => api('POST', `${base}/faces/delete`, { json: { ids: [...selected], id_type: 'internal' } }));
        selected.clear();
        cursors = [null];
        load(0);
      },
    },
    'Delete selected',
  );
  const refreshSel = () => {
    delSel.disabled = selected.size === 0;
    delSel.textContent = selected.size ? `Delete selected (${selected.size})` : 'Delete selected';
  };

  const load = async (page) => {
    current = page;
    gallery = await attempt(err, () => api('GET', base));
    if (!gallery) return;
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (cursors[page]) q.set('cursor', String(cursors[page]));
    if (filter.value) q.set('meta', filter.value);
    const r = await attempt(err, () => api('GET', `${base}/faces?${q}`));
    if (!r) return;
    cursors[page + 1] = r.next_cursor;
    mount(info, `${gallery.face_count} face${gallery.face_count === 1 ? '' : 's'} · thumbnails ${gallery.thumbnails ? 'kept' : 'off'} · ${gallery.model}`);
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    mount(grid, r.faces.length ? r.faces.map((f) => tile(f)) : h('p', { class: 'muted' }, 'No faces.'));
    mount(
      pager,
      h('button', { type: 'button', disabled: page === 0, onclick: () => load(page - 1) }, 'Previous'),
      h('span', {}, ` page ${page + 1} `),
      h('button', { type: 'button', disabled: !r.next_cursor, onclick: () => load(page + 1) }, 'Next'),
    );
  };

  const tile = (f) => {
    const label = f.client_id ?? `#${f.id}`;
    const pic = h('div', { class: 'thumb' }, h('span', { class: 'muted' }, label));
    if (f.thumbnail_url) {
      api('GET', f.thumbnail_url, { blob: true })
        .then((b) => {
          const u = URL.createObjectURL(b);
          urls.push(u);
          mount(pic, h('img', { src: u, alt: `Face ${label}` }));
        })
        .catch(() => {});
    }
    const check = h('input', {
      type: 'checkbox',
      'aria-label': `Select ${label}`,
      checked: selected.has(f.id),
      onchange: () => {
        if (check.checked) selected.add(f.id);
        else selected.delete(f.id);
        refreshSel();
      },
    });
    const meta = f.meta === null || f.meta === undefined ? '' : typeof f.meta === 'string' ? f.meta : JSON.stringify(f.meta);
    return h(
      'div',
      { class: 'tile', 'data-client-id': f.client_id ?? '' },
      pic,
      h('label', { class: 'check' }, check, ' ', h('strong', {}, label)),
      h('div', { class: 'muted meta' }, meta),
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `Edit meta of ${label}`,
          onclick: async () => {
            const text = prompt('Meta (JSON, or plain text)', meta);
            if (text === null) return;
            let value = text;
            try {
              value = JSON.parse(text);
            } catch {}
            await attempt(err, () => api('PATCH', `${base}/faces/${f.id}?id_type=internal`, { json: { meta: value } }));
            load(current);
          },
        },
        'Edit meta',
      ),
    );
  };

  mount(
    el,
    h('p', {}, h('a', { href: '#/galleries' }, '← All galleries')),
    h('h1', {}, 'Gallery ', h('span', { id: 'gallery-name' }, name)),
    info,
    err,
    h('div', { class: 'two' }, enrolPanel(base, () => ((cursors = [null]), load(0))), searchPanel(name)),
    h('h2', {}, 'Faces'),
    h(
      'form',
      {
        class: 'inline',
        role: 'search',
        onsubmit: (e) => {
          e.preventDefault();
          cursors = [null];
          load(0);
        },
      },
      field('Filter faces', filter),
      h('button', { type: 'submit' }, 'Filter'),
      delSel,
    ),
    grid,
    pager,
  );
  await load(0);
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}

/** Enrols each dropped photo with its own POST, two at a time; the list shows each one live. */
function enrolPanel(base, done) {
  const list = h('ol', { class: 'progress-list', id: 'enrol-list' });
  const status = h('p', { id: 'enrol-status', 'aria-live': 'polite' });
  const run = async (files) => {
    const rows = files.map((f) => {
      const state = h('span', { class: 'state' }, 'queued');
      const li = h('li', { 'data-file': f.name }, h('span', {}, f.name), ' ', state);
      return { f, li, state };
    });
    mount(list, rows.map((r) => r.li));
    let ok = 0, failed = 0, next = 0;
    const show = () => mount(status, `${ok + failed} of ${files.length} done · ${ok} enrolled · ${failed} failed`);
    show();
    const worker = async () => {
      while (next < rows.length) {
        const r = rows[next++];
        r.state.textContent = 'enrolling…';
        const form = new FormData();
        form.append('id', r.f.name.replace(/\.[^.]+$/, ''));
        form.append('meta', `file ${r.f.name}`);
        form.append('image', r.f, r.f.name);
        try {
          await api('POST', `${base}/faces`, { form });
          r.state.textContent = 'enrolled';
          r.li.classList.add('ok');
          ok++;
        } catch (e) {
          r.state.textContent = `${e.code ?? 'Error'}: ${e.reason ?? e.message}`;
          r.li.classList.add('failed');
          failed++;
        }
        show();
      }
    };
    await Promise.all([worker(), worker()]);
    done();
  };
  return h('section', { class: 'card' }, h('h2', {}, 'Enrol photos'), h('p', { class: 'muted' }, 'Each file’s name (without extension) becomes the face id.'), dropZone({ label: 'Choose photos', id: 'enrol-files', multiple: true, onFiles: run }), status, list);
}

function searchPanel(name) {
  const out = h('div', { id: 'search-result', 'aria-live': 'polite' });
  const err = h('div');
  const threshold = h('select', { id: 'search-threshold' }, ['medium', 'strict', 'low', 'none'].map((t) => h('option', { value: t }, t)));
  const run = async ([file]) => {
    const form = new FormData();
    form.append('image', file, file.name);
    form.append('threshold', threshold.value);
    form.append('limit', '5');
    mount(out, h('p', { class: 'muted' }, 'Searching…'));
    const r = await attempt(err, () => api('POST', `/v1/galleries/${enc(name)}/search`, { form }));
    if (!r) return mount(out);
    const face = r.faces[0];
    if (!face) return mount(out, h('p', { class: 'note' }, 'No face found in the photo.'));
    mount(
      out,
      h('img', { class: 'probe', src: URL.createObjectURL(file), alt: 'Search photo' }),
      face.matches.length === 0
        ? h('p', { class: 'unknown', id: 'search-unknown' }, 'Unknown: nobody in the gallery passes the threshold.')
        : h(
            'ol',
            { class: 'candidates' },
            face.matches.map((m) => h('li', { 'data-client-id': m.face.client_id ?? '' }, h('strong', {}, m.face.client_id ?? `#${m.face.id}`), ` similarity ${fmt(m.similarity, 3)}`, m.face.meta ? h('span', { class: 'muted' }, ` ${typeof m.face.meta === 'string' ? m.face.meta : JSON.stringify(m.face.meta)}`) : null)),
          ),
    );
  };
  return h('section', { class: 'card' }, h('h2', {}, 'Search with a photo'), field('Threshold', threshold), dropZone({ label: 'Choose a search photo', id: 'search-file', onFiles: run }), err, out);
}
