// Jobs: the caller's background jobs from GET /v1/jobs, polled every 2 s while any is queued or
// running, so progress reaches the page live; a running or queued job can be cancelled.
import { api, attempt, h, mount } from '../ui.js';

export function jobsPage(el) {
  const err = h('div');
  const table = h('div', { id: 'jobs' });
  let timer = null;
  const load = async () => {
    const r = await attempt(err, () => api('GET', '/v1/jobs?limit=50'));
    if (!r) return;
    const live = r.jobs.some((j) => j.status === 'queued' || j.status === 'running');
    mount(
      table,
      r.jobs.length === 0
        ? h('p', { class: 'muted' }, 'No jobs. Long work (bulk enrolment, searches) appears here with live progress.')
        : h(
            'table',
            {},
            h('caption', {}, 'Your jobs, newest first'),
            h('thead', {}, h('tr', {}, ['job', 'kind', 'status', 'progress', 'created', ''].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              {},
              r.jobs.map((j) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, j.id),
                  h('td', {}, j.kind),
                  h('td', {}, j.status, j.error ? ` — ${j.error.code}: ${j.error.message}` : ''),
                  h('td', {}, h('progress', { max: 100, value: j.progress, 'aria-label': `Progress of ${j.id}` }), ` ${j.progress} %`, j.stage ? ` ${j.stage}` : ''),
                  h('td', {}, new Date(j.created_at).toLocaleString()),
                  h('td', {}, j.status === 'queued' || j.status === 'running' ? h('button', { type: 'button', class: 'small', onclick: async () => (await attempt(err, () => api('DELETE', `/v1/jobs/${j.id}`)), load()) }, 'Cancel') : ''),
                ),
              ),
            ),
          ),
    );
    clearTimeout(timer);
    if (live) timer = setTimeout(load, 2000);
  };
  mount(el, h('h1', {}, 'Jobs'), err, table);
  load();
  return () => clearTimeout(timer);
}
