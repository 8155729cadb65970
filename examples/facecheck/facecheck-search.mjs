// A FaceCheck.ID client of our own: upload a photo, start the search, poll with progress, print
// the results. Node 20, no dependencies.
//   node examples/facecheck/facecheck-search.mjs <base URL> <key> <photo> [more photos of the same person]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [base, key, ...photos] = process.argv.slice(2);
if (!base || !key || photos.length === 0 || photos.length > 3) {
  console.error('usage: node facecheck-search.mjs <base URL, e.g. http://localhost:8080/facecheck> <key> <photo> [photo] [photo]');
  process.exit(2);
}
const headers = { Authorization: key }; // the raw token, as FaceCheck clients send it

async function call(path, init) {
  const r = await fetch(`${base}${path}`, { method: 'POST', ...init, headers: { ...headers, ...init?.headers } });
  const body = await r.json();
  // FaceCheck answers errors with HTTP 200 and an error text and code.
  if (body.error) throw new Error(`${path}: ${body.code}: ${body.error}`);
  return body;
}

// 1. Upload (1–3 photos of one person) → id_search.
const form = new FormData();
form.set('id_search', '');
for (const p of photos) form.append('images', new Blob([readFileSync(p)]), basename(p));
const up = await call('/api/upload_pic', { body: form });
const id = up.id_search;
console.log(`id_search ${id}: ${up.message ?? ''}`);

// 2. Start and poll every second with progress until output is set.
const search = (extra = {}) => call('/api/search', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id_search: id, with_progress: true, status_only: false, demo: false, ...extra }) });
let res = await search();
while (!res.output) {
  process.stderr.write(`\r${String(res.progress ?? 0).padStart(3)} % ${res.message ?? ''}`.padEnd(60));
  await new Promise((r) => setTimeout(r, 1000));
  res = await search();
}
process.stderr.write('\n');

// 3. Results, best first.
const o = res.output;
console.log(`${o.items.length} results from ${o.searchedFaces} faces in ${o.tookSeconds} s (queue ${o.tookSecondsQueue} s)`);
const band = (s) => (s >= 90 ? 'certain' : s >= 83 ? 'confident' : s >= 70 ? 'uncertain' : 'weak');
for (const it of o.items.slice(0, 10)) console.log(`${String(it.score).padStart(3)} ${band(it.score).padEnd(9)} ${it.url} (group ${it.group}, guid ${it.guid})`);

// 4. Delete the photos and results now rather than at the end of the retention.
await call(`/api/delete_pic?id_search=${encodeURIComponent(id)}`);
console.log('deleted');
