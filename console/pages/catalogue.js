// Catalogue: the account's model-agency catalogue over /v1/catalogue (docs/catalogue.md).
// Browse agencies, models and reviews, paged, with the API's exact-match filters; score up to
// 5 photos as portfolio photos and see each score's parts (measurement × weight).
import { api, attempt, dropZone, errorBox, field, fmt, h, mount } from '../ui.js';
import { unavailablePage } from './unavailable.js';

// The filters GET /v1/catalogue/{kind} accepts; a select where the values are a closed set.
const KINDS = {
  agencies: {
    title: 'Agencies',
    filters: [['title'], ['mother', ['', 'true', 'false']], ['only_gender', ['', 'female', 'male']], ['language'], ['male_count', null, 'number'], ['female_count', null, 'number']],
    columns: [
      ['id', (a) => a.id],
      ['title', (a) => a.title],
      ['mother', (a) => (a.mother ? 'yes' : 'no')],
      ['genders', (a) => a.genders.join(', ')],
      ['languages', (a) => a.languages.join(', ')],
      ['female', (a) => a.female_count],
      ['male', (a) => a.male_count],
    ],
  },
  models: {
    title: 'Models',
    filters: [['agency_id', null, 'number'], ['gender', ['', 'female', 'male']], ['height', null, 'number'], ['bust', null, 'number'], ['waist', null, 'number'], ['hips', null, 'number'], ['shoes', null, 'number'], ['eyes'], ['hair']],
    columns: [
      ['id', (m) => m.id],
      ['name', (m) => m.name],
      ['agency', (m) => m.agency_id ?? '–'],
      ['gender', (m) => m.gender ?? '–'],
      ['height', (m) => m.height ?? '–'],
      ['bust/waist/hips', (m) => [m.bust, m.waist, m.hips].map((x) => x ?? '–').join('/')],
      ['shoes', (m) => m.shoes ?? '–'],
      ['eyes', (m) => m.eyes ?? '–'],
      ['hair', (m) => m.hair ?? '–'],
      ['photos', (m) => m.photos?.length ?? 0],
    ],
  },
  reviews: {
    title: 'Reviews',
    filters: [['agency_id', null, 'number'], ['author', ['', 'agent', 'model']], ['type', ['', 'neutral', 'positive', 'negative']]],
    columns: [
      ['id', (r) => r.id],
      ['agency', (r) => r.agency_id],
      ['author', (r) => r.author],
      ['type', (r) => r.type],
      ['date', (r) => r.date],
      ['text', (r) => r.text],
    ],
  },
};

export async function cataloguePage(el, [tab]) {
  try {
    await api('GET', '/v1/catalogue/agencies?per_page=1');
  } catch (e) {
    if (e.status === 404) return unavailablePage(el, { title: 'Catalogue', probe: '/v1/catalogue/agencies', what: 'the model-agency catalogue' });
    return mount(el, h('h1', {}, 'Catalogue'), errorBox(e));
  }
  const kind = KINDS[tab] ? tab : 'agencies';
  mount(
    el,
    h('h1', {}, 'Catalogue'),
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Catalogue lists' },
      Object.entries(KINDS).map(([k, v]) => h('a', { href: `#/catalogue/${k}`, 'aria-current': k === kind && tab !== 'score' ? 'page' : undefined }, v.title)),
      h('a', { href: '#/catalogue/score', 'aria-current': tab === 'score' ? 'page' : undefined }, 'Score photos'),
    ),
  );
  if (tab === 'score') return scoreView(el);
  return listView(el, kind);
}

function listView(el, kind) {
  const spec = KINDS[kind];
  const err = h('div', { 'aria-live': 'polite' });
  const out = h('div', { id: 'catalogue-list' });
  const inputs = spec.filters.map(([name, options, type]) => {
    const id = `filter-${name}`;
    const c = options ? h('select', { id, name }, options.map((o) => h('option', { value: o }, o || 'any'))) : h('input', { id, name, type: type ?? 'text', min: type === 'number' ? 0 : undefined, step: type === 'number' ? 1 : undefined, size: 10 });
    return { name, c };
  });
  let page = 1;
  const load = async () => {
    const q = new URLSearchParams({ page: String(page), per_page: '20' });
    for (const { name, c } of inputs) if (c.value !== '') q.set(name, c.value);
    const r = await attempt(err, () => api('GET', `/v1/catalogue/${kind}?${q}`));
    if (!r) return mount(out);
    mount(
      out,
      r.items.length === 0
        ? h('p', { class: 'muted', id: 'catalogue-empty' }, 'Nothing matches.')
        : h(
            'table',
            {},
            h('caption', {}, `${spec.title}: ${r.total} in all`),
            h('thead', {}, h('tr', {}, spec.columns.map(([c]) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, r.items.map((it) => h('tr', { 'data-id': it.id }, spec.columns.map(([, f]) => h('td', {}, f(it)))))),
          ),
      h(
        'div',
        { class: 'pager' },
        h('button', { type: 'button', class: 'small', disabled: page <= 1, onclick: () => ((page -= 1), load()) }, 'Previous'),
        h('span', { id: 'catalogue-page' }, `page ${r.page} of ${Math.max(1, r.total_pages)}`),
        h('button', { type: 'button', class: 'small', disabled: page >= r.total_pages, onclick: () => ((page += 1), load()) }, 'Next'),
      ),
    );
  };
  el.append(
    h(
      'form',
      {
        class: 'card',
        id: 'catalogue-filters',
        onsubmit: (e) => {
          e.preventDefault();
          page = 1;
          load();
        },
      },
      h('h2', {}, `Filter ${spec.title.toLowerCase()}`),
      h('div', { class: 'grid-form' }, inputs.map(({ name, c }) => field(name.replace(/_/g, ' '), c))),
      h('p', { class: 'muted' }, 'Filters are exact matches, as in the API.'),
      h('button', { type: 'submit' }, 'Apply filters'),
    ),
    err,
    out,
  );
  load();
}

function scoreView(el) {
  const err = h('div', { 'aria-live': 'polite' });
  const out = h('div', { id: 'score-result' });
  const score = async (files) => {
    const form = new FormData();
    for (const f of files.slice(0, 5)) form.append('images', f, f.name);
    mount(out, h('p', { class: 'muted' }, `Scoring ${Math.min(5, files.length)} photo(s)…`));
    const r = await attempt(err, () => api('POST', '/v1/catalogue/score', { form }));
    if (!r) return mount(out);
    mount(
      out,
      r.photos.map((p) => {
        const name = files[p.index]?.name ?? `photo ${p.index + 1}`;
        if (!p.ok) return h('div', { class: 'card score-card' }, h('h3', {}, name), h('div', { class: 'error', role: 'alert' }, h('strong', { class: 'error-code' }, p.code), ' ', h('span', { class: 'error-reason' }, p.message)));
        const parts = Object.entries(p.parts ?? {});
        return h(
          'div',
          { class: 'card score-card', 'data-score': p.score },
          h('h3', {}, name, ': ', h('span', { class: 'score-total' }, `${p.score}`), ' / 1000'),
          h('p', { class: 'muted' }, `${p.faces} face(s); largest face: age ${fmt(p.age, 0)}, gender ${p.gender ? `${p.gender.label} (${Math.round(p.gender.confidence * 100)} %)` : '–'} (estimates; they never enter the score)`),
          parts.length === 0
            ? h('p', {}, 'No face: the photo scores 0.')
            : h(
                'table',
                { class: 'score-parts' },
                h('caption', {}, `Parts of ${name}'s score`),
                h('thead', {}, h('tr', {}, ['part', 'measured (0–1)', 'points', ''].map((c) => h('th', { scope: 'col' }, c)))),
                h(
                  'tbody',
                  {},
                  parts.map(([k, v]) =>
                    h(
                      'tr',
                      { 'data-part': k },
                      h('th', { scope: 'row' }, k.replace(/_/g, ' ')),
                      h('td', {}, fmt(v.value)),
                      h('td', {}, fmt(v.points, 0)),
                      h('td', {}, h('meter', { min: 0, max: 1, value: v.value, 'aria-label': `${k} measured` })),
                    ),
                  ),
                ),
              ),
        );
      }),
    );
  };
  el.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Score portfolio photos'),
      h('p', {}, 'Up to 5 photos; each gets a score 0–1000 from its parts. It scores the photo, never the person. One credit per request.'),
      dropZone({ label: 'Photos to score', multiple: true, id: 'score-files', onFiles: score }),
    ),
    err,
    out,
  );
}
