// Pages over /v1 routes this server may not have (the reverse search index, the catalogue):
// the page asks /v1 and, on 404, says plainly that this server does not offer it.
import { api, errorBox, h, mount } from '../ui.js';

export async function unavailablePage(el, { title, probe, what }) {
  mount(el, h('h1', {}, title), h('p', { class: 'muted' }, 'Checking…'));
  try {
    const r = await api('GET', probe);
    mount(el, h('h1', {}, title), h('p', {}, `This server offers ${what} (${probe}); this console version cannot show it yet.`), h('pre', { class: 'json' }, JSON.stringify(r, null, 2)));
  } catch (e) {
    if (e.status === 404)
      return mount(el, h('h1', {}, title), h('p', { class: 'note', id: 'not-available' }, `Not available on this server: ${probe} answers 404, so ${what} is not part of this server's /v1 API.`), errorBox(e));
    mount(el, h('h1', {}, title), errorBox(e));
  }
}
