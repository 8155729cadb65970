#!/usr/bin/env node
// A small FaceHub client of our own (Node 20, no dependencies): lists agencies and models with
// filters, scores portfolio photos, and finds the catalogue models who look like a photo.
//   node facehub-client.mjs <base> <key> models [gender=1&height_from=170 ...]
//   node facehub-client.mjs <base> <key> agencies | reviews [filters]
//   node facehub-client.mjs <base> <key> scoring <photo…>      (up to 5)
//   node facehub-client.mjs <base> <key> similar <photo>
// <base>: http://localhost:8080/facehub/api/data (or http://localhost:<VISAGE_FACEHUB_PORT>/api/data).
// The key goes in the Authorization header (works for every key, header_only ones included).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const [base, key, what, ...rest] = process.argv.slice(2);
if (!base || !key || !what) {
  console.error('usage: node facehub-client.mjs <base> <key> <models|agencies|reviews|scoring|similar> [filters | photos…]');
  process.exit(2);
}
const auth = { authorization: `Bearer ${key}` };

async function answer(res) {
  const body = await res.json();
  if (!res.ok) {
    console.error(`${res.status} ${body.errorCode}: ${body.errorMessage}`);
    process.exit(1);
  }
  return body;
}

async function photos(paths) {
  const form = new FormData();
  for (const p of paths) form.append('images[]', new Blob([await readFile(p)], { type: 'image/jpeg' }), basename(p));
  return form;
}

if (['models', 'faces', 'agencies', 'reviews'].includes(what)) {
  const query = new URLSearchParams(rest.join('&'));
  if (!query.has('perPage')) query.set('perPage', '10');
  const page = await answer(await fetch(`${base}/${what}?${query}`, { headers: auth }));
  console.log(`${page.totalResults} found (page ${page.page} of ${page.totalPages})`);
  for (const r of page.results) console.log(JSON.stringify(r));
} else if (what === 'scoring') {
  const r = await answer(await fetch(`${base}/tools/scoring`, { method: 'POST', headers: auth, body: await photos(rest) }));
  r.results.forEach((p, i) => {
    if (p.status !== 1) return console.log(`${rest[i]}: ${p.error?.errorCode} ${p.error?.errorMessage}`);
    const parts = Object.entries(p.parts).map(([k, v]) => `${k} ${v.points}`).join(', ');
    console.log(`${rest[i]}: score ${p.score}/1000, ${p.faces} face(s), age ${p.age}, gender ${p.gender}\n  ${parts}`);
  });
} else if (what === 'similar') {
  const r = await answer(await fetch(`${base}/tools/similar`, { method: 'POST', headers: auth, body: await photos(rest.slice(0, 1)) }));
  if (r.faces === 0) console.log('no face in the photo');
  for (const m of r.results) console.log(`${m.similarity.toFixed(3)}  #${m.model.id} ${m.model.name}`);
} else {
  console.error(`unknown: ${what}`);
  process.exit(2);
}
