#!/usr/bin/env node
// A small F.A.C.E. client (Node 18+, no dependencies): sends a photo file or an image URL to
// Visage's Sightcorp dialect and prints each person as the document's Example 4 reads them.
//   node detect.mjs <photo.jpg | https://…/photo.jpg> [endpoint]
// The key comes from FACE_APP_KEY; the endpoint defaults to http://localhost:8080/sightcorp/api/detect/.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const [source, endpoint = 'http://localhost:8080/sightcorp/api/detect/'] = process.argv.slice(2);
const appKey = process.env.FACE_APP_KEY;
if (!source || !appKey) {
  console.error('usage: FACE_APP_KEY=<key> node detect.mjs <photo file | image URL> [endpoint]');
  process.exit(2);
}

const form = new FormData();
form.set('app_key', appKey);
if (/^https?:\/\//i.test(source)) form.set('url', source);
else form.set('img', new Blob([await readFile(source)]), basename(source));

const res = await fetch(endpoint, { method: 'POST', body: form });
// API errors come back as HTTP 200 with a non-zero error_code; any other status is a transport failure.
if (res.status !== 200) {
  console.error(`transport failure: HTTP ${res.status}`);
  process.exit(1);
}
const body = await res.json();
if (body.error_code !== 0) {
  console.error(`error ${body.error_code}: ${body.description}`);
  process.exit(1);
}
console.log(`${body.img_size.w}x${body.img_size.h} px, ${body.people.length} person(s)`);
for (const [i, p] of body.people.entries()) {
  const sex = p.gender < 0 ? 'male' : 'female';
  const top = Object.entries(p.emotions).sort((a, b) => b[1] - a[1])[0];
  console.log(
    `#${i + 1} at ${p.position.x},${p.position.y} ${p.position.w}x${p.position.h}: age ${p.age}, ${sex} (${p.gender}), mood ${p.mood}, ` +
      `strongest emotion ${top[0]} ${top[1]}, yaw ${p.rotation.yaw}, clothing ${p.clothingcolors.join(' ') || '-'}`,
  );
}
