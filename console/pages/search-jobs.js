// Search jobs: reverse face search over the caller's search indexes (/v1/search-indexes,
// /v1/face-searches). Pick an index, upload 1–3 photos of one person (previews come back),
// start, watch the job's progress (polled every second, so it reaches the page live), cancel,
// and read the results: score, thumbnail (a data URL from the API) and source link.
// Indexes can be created and fed a photo with its source URL here too, as with curl.
import { api, attempt, dropZone, errorBox, field, h, mount } from '../ui.js';
import { unavailablePage } from './unavailable.js';

const enc = encodeURIComponent;
const BANDS = [
  [90, 'certain'],
  [83, 'confident'],
  [70, 'uncertain'],
  [50, 'weak'],
];
const band = (s) => BANDS.find(([min]) => s >= min)?.[1] ?? 'below weak';
const done = (s) => s === 'succeeded' || s === 'failed' || s === 'cancelled';

export async function searchJobsPage(el) {
  const err = h('div', { 'aria-live': 'polite' });
  mount(el, h('h1', {}, 'Search jobs'), h('p', { class: 'muted' }, 'Checking…'));
  let indexes;
  try {
    indexes = (await api('GET', '/v1/search-indexes')).indexes;
  } catch (e) {
    if (e.status === 404) return unavailablePage(el, { title: 'Search jobs', probe: '/v1/search-indexes', what: 'the reverse search index' });
    return mount(el, h('h1', {}, 'Search jobs'), errorBox(e));
  }

  let timer = null;
  let search = null;
  const indexSel = h('select', { id: 'search-index' });
  const indexList = h('div', { id: 'index-list' });
  const previews = h('div', { id: 'search-previews', class: 'grid' });
  const status = h('div', { id: 'search-status', 'aria-live': 'polite' });
  const results = h('div', { id: 'search-results' });
  const startBtn = h('button', { type: 'button', id: 'search-start', disabled: true, onclick: () => start() }, 'Start search');
  const cancelBtn = h('button', { type: 'button', id: 'search-cancel', class: 'danger', disabled: true, onclick: () => cancel() }, 'Cancel');

  const renderIndexes = () => {
    mount(indexSel, indexes.map((i) => h('option', { value: i.name, selected: i.default || undefined }, `${i.name} (${i.faces} faces${i.default ? ', default' : ''})`)));
    mount(
      indexList,
      indexes.length === 0
        ? h('p', { class: 'muted' }, 'No search indexes yet: create one, then add photos with their source URLs.')
        : h(
            'table',
            {},
            h('caption', {}, 'Your search indexes'),
            h('thead', {}, h('tr', {}, ['name', 'faces', 'default'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, indexes.map((i) => h('tr', { 'data-index': i.name }, h('th', { scope: 'row' }, i.name), h('td', {}, i.faces), h('td', {}, i.default ? 'yes' : '')))),
          ),
    );
    startBtn.disabled = !search || indexes.length === 0;
  };
  const reloadIndexes = async () => {
    const r = await attempt(err, () => api('GET', '/v1/search-indexes'));
    if (r) indexes = r.indexes;
    renderIndexes();
  };

  const show = (s) => {
    search = s;
    mount(
      previews,
      s.previews.map((src, i) => h('figure', { class: 'tile' }, h('div', { class: 'thumb' }, h('img', { src, alt: `Face found in photo ${i + 1}` })), h('figcaption', { class: 'meta' }, `photo ${i + 1}`))),
    );
    const live = s.status === 'queued' || s.status === 'running';
    mount(
      status,
      h('p', {}, h('strong', {}, 'Search '), h('code', {}, s.id), ` · ${s.status}`, s.stage && !done(s.status) ? ` · ${s.stage}` : '', s.position ? ` · position ${s.position} in the queue` : ''),
      s.status === 'uploaded' ? null : h('p', {}, h('progress', { id: 'search-progress', max: 100, value: s.progress, 'aria-label': 'Search progress' }), ` ${s.progress} %`),
      s.error ? h('div', { class: 'error', role: 'alert' }, h('strong', { class: 'error-code' }, s.error.code), ' ', h('span', { class: 'error-reason' }, s.error.message ?? '')) : null,
    );
    startBtn.disabled = s.status !== 'uploaded' || indexes.length === 0;
    cancelBtn.disabled = !live;
    if (s.status === 'succeeded' && s.result) renderResults(s.result);
    else mount(results);
    clearTimeout(timer);
    if (live) timer = setTimeout(poll, 1000);
  };
  const poll = async () => {
    if (!search) return;
    const s = await attempt(err, () => api('GET', `/v1/face-searches/${enc(search.id)}`));
    if (s) show(s);
  };
  const upload = async (files) => {
    const form = new FormData();
    files.slice(0, 3).forEach((f, i) => form.append(i === 0 ? 'image' : `image${i + 1}`, f, f.name));
    mount(status, h('p', { class: 'muted' }, `Uploading ${Math.min(files.length, 3)} photo(s)…`));
    const s = await attempt(err, () => api('POST', '/v1/face-searches', { form }));
    if (s) show(s);
    else mount(status);
  };
  const start = async () => {
    const s = await attempt(err, () => api('POST', `/v1/face-searches/${enc(search.id)}/start`, { json: { index: indexSel.value || undefined } }));
    if (s) show(s);
  };
  const cancel = async () => {
    const s = await attempt(err, () => api('POST', `/v1/face-searches/${enc(search.id)}/cancel`));
    if (s) show(s);
  };
  const renderResults = (r) => {
    mount(
      results,
      h('p', { id: 'search-summary' }, `${r.items.length} result(s) · best ${r.max_score ?? '–'} · ${r.searched_faces} faces searched in ${r.took_seconds} s (queue ${r.took_seconds_queue} s)${r.demo ? ' · demo' : ''}`),
      r.items.length === 0
        ? h('p', { class: 'unknown', id: 'search-none' }, 'No face in the index scored high enough.')
        : h(
            'table',
            {},
            h('caption', {}, 'Results, best first'),
            h('thead', {}, h('tr', {}, ['face', 'score', 'source', 'group', 'index'].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              {},
              r.items.map((it, i) =>
                h(
                  'tr',
                  { class: 'result', 'data-score': it.score, 'data-url': it.url },
                  h('td', {}, it.thumbnail ? h('img', { src: it.thumbnail, alt: `Result ${i + 1}`, width: 64, height: 64, class: 'result-thumb' }) : '–'),
                  h('td', {}, h('strong', {}, it.score), ` ${band(it.score)}`),
                  h('td', {}, h('a', { href: it.url, rel: 'noopener noreferrer nofollow', target: '_blank' }, it.url)),
                  h('td', {}, it.group ?? '–'),
                  h('td', { class: 'muted' }, it.index),
                ),
              ),
            ),
          ),
    );
  };

  // Index management: create one, add a photo with its source URL (what the search finds).
  const newName = h('input', { id: 'new-index-name', required: true, pattern: '[A-Za-z0-9_.\\-]{1,64}' });
  const newDefault = h('input', { type: 'checkbox', id: 'new-index-default', checked: true });
  const addUrl = h('input', { id: 'index-photo-url', type: 'url', required: true, placeholder: 'https://…' });
  const addGroup = h('input', { id: 'index-photo-group', type: 'number', min: 0, step: 1 });
  const addFile = h('input', { id: 'index-photo-file', type: 'file', accept: 'image/*', required: true });
  const addOut = h('div', { id: 'index-photo-result', 'aria-live': 'polite' });

  mount(
    el,
    h('h1', {}, 'Search jobs'),
    h('p', { class: 'muted' }, 'Find where a person appears in your search indexes (filled only from sources you add). A search costs one credit.'),
    err,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'new-search-h' },
      h('h2', { id: 'new-search-h' }, 'New search'),
      field('Search index', indexSel),
      dropZone({ label: '1–3 photos of one person', multiple: true, id: 'search-files', onFiles: upload }),
      previews,
      h('p', { class: 'inline' }, startBtn, cancelBtn),
      status,
      results,
    ),
    h(
      'section',
      { class: 'two' },
      h(
        'form',
        {
          class: 'card',
          id: 'create-index',
          onsubmit: async (e) => {
            e.preventDefault();
            const ok = await attempt(err, () => api('POST', '/v1/search-indexes', { json: { name: newName.value, default: newDefault.checked } }));
            if (ok) reloadIndexes();
          },
        },
        h('h2', {}, 'New search index'),
        field('Index name', newName),
        h('label', { class: 'check' }, newDefault, 'Make it the default'),
        h('p', {}, h('button', { type: 'submit' }, 'Create index')),
        indexList,
      ),
      h(
        'form',
        {
          class: 'card',
          id: 'add-index-photo',
          onsubmit: async (e) => {
            e.preventDefault();
            const form = new FormData();
            form.append('image', addFile.files[0]);
            form.append('source_url', addUrl.value);
            if (addGroup.value !== '') form.append('group', addGroup.value);
            const r = await attempt(addOut, () => api('POST', `/v1/search-indexes/${enc(indexSel.value)}/photos`, { form }));
            if (!r) return;
            mount(addOut, h('p', { class: 'ok' }, `${r.faces} face(s) indexed${r.already_indexed ? ' (already indexed)' : ''}${r.opted_out ? `, ${r.opted_out} opted out` : ''}.`));
            reloadIndexes();
          },
        },
        h('h2', {}, 'Add a photo to the selected index'),
        field('Photo', addFile),
        field('Source URL', addUrl, 'Where the photo was found; results link to it.'),
        field('Group (optional)', addGroup),
        h('p', {}, h('button', { type: 'submit' }, 'Add photo')),
        addOut,
      ),
    ),
  );
  renderIndexes();
  return () => clearTimeout(timer);
}
