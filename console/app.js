// The console's shell: sign-in, navigation (hash routes, so nothing but the key's absence is
// ever in a URL) and the page outlet.
import { api, attempt, errorBox, field, h, mount, session } from './ui.js';
import { analysePage } from './pages/analyse.js';
import { comparePage } from './pages/compare.js';
import { galleriesPage } from './pages/galleries.js';
import { jobsPage } from './pages/jobs.js';
import { searchJobsPage } from './pages/search-jobs.js';
import { cataloguePage } from './pages/catalogue.js';
import { adminPage } from './pages/admin.js';

const PAGES = [
  { path: 'analyse', title: 'Analyse', render: analysePage },
  { path: 'compare', title: 'Compare', render: comparePage },
  { path: 'galleries', title: 'Galleries', render: galleriesPage },
  { path: 'jobs', title: 'Jobs', render: jobsPage },
  // Both probe their /v1 routes and say plainly when this server has none (404).
  { path: 'search-jobs', title: 'Search jobs', render: searchJobsPage },
  { path: 'catalogue', title: 'Catalogue', render: cataloguePage },
  { path: 'admin', title: 'Admin', render: adminPage, admin: true },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const isAdmin = () => session.account?.key?.scopes?.includes('admin') ?? false;

function currentPath() {
  const p = location.hash.replace(/^#\/?/, '').split('/');
  return p;
}

function renderNav(active) {
  if (!session.key) {
    mount(nav);
    mount(who);
    return;
  }
  mount(
    nav,
    h(
      'ul',
      {},
      PAGES.filter((p) => !p.admin || isAdmin()).map((p) => h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': p.path === active ? 'page' : undefined }, p.title))),
    ),
  );
  mount(
    who,
    h('span', { class: 'muted', id: 'who-account' }, session.account ? `${session.account.account} · ${session.account.key?.name ?? session.account.key?.id ?? ''}` : ''),
    ' ',
    h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out'),
  );
}

function signOut() {
  session.key = null;
  session.account = null;
  location.hash = '#/signin';
  route();
}

function signInPage(el) {
  const key = h('input', { type: 'password', id: 'api-key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (e) => {
        e.preventDefault();
        const account = await attempt(out, () => api('GET', '/v1/account', { key: key.value.trim() }));
        if (!account) return;
        session.key = key.value.trim();
        session.account = account;
        location.hash = '#/analyse';
        route();
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste an API key. It is kept in this tab’s session storage and sent as the x-api-key header; it never goes into a URL.'),
    field('API key', key),
    h('button', { type: 'submit' }, 'Sign in'),
    out,
  );
  mount(el, form);
  key.focus();
}

let lastPage = null;
export async function route() {
  const [path = '', ...rest] = currentPath();
  if (lastPage?.cleanup) lastPage.cleanup();
  lastPage = null;
  if (!session.key) {
    renderNav();
    document.title = 'Sign in · Visage console';
    return signInPage(main);
  }
  if (!session.account) {
    try {
      session.account = await api('GET', '/v1/account');
    } catch (e) {
      session.key = null;
      renderNav();
      signInPage(main);
      main.prepend(errorBox(e));
      return;
    }
  }
  const page = PAGES.find((p) => p.path === path && (!p.admin || isAdmin())) ?? PAGES[0];
  renderNav(page.path);
  document.title = `${page.title} · Visage console`;
  main.replaceChildren();
  lastPage = { cleanup: null };
  const cleanup = await page.render(main, rest);
  if (typeof cleanup === 'function') lastPage.cleanup = cleanup;
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
