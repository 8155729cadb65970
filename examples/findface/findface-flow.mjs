// The FindFace vendor flow against Visage: detect, create faces in a gallery, identify, verify, delete.
//   node examples/findface/findface-flow.mjs http://localhost:8080/findface/v1 <key> a.jpg b.jpg
import { readFileSync } from 'node:fs';

const [base, key, photoA, photoB] = process.argv.slice(2);
if (!photoB) throw new Error('usage: findface-flow.mjs <base url> <key> <photo of A> <another photo of A>');
const auth = { Authorization: `Token ${key}` };
const form = (fields) => {
  const f = new FormData();
  // A file part needs a file name; a text part must be appended with two arguments only.
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Uint8Array) f.append(k, new Blob([v], { type: 'image/jpeg' }), `${k}.jpg`);
    else f.append(k, v);
  }
  return f;
};
const call = async (method, path, body) => {
  const r = await fetch(`${base}${path}`, { method, headers: auth, body });
  const json = r.status === 204 ? null : await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
};
const a = readFileSync(photoA);
const b = readFileSync(photoB);
console.log('detect', await call('POST', '/detect/', form({ photo: a, gender: 'true', age: 'true' })));
await call('POST', '/galleries/example', form({}));
const { results } = await call('POST', '/face/', form({ photo: a, meta: 'person A', galleries: 'example' }));
console.log('created', results[0]);
console.log('identify', JSON.stringify(await call('POST', '/faces/gallery/example/identify/', form({ photo: b, threshold: 'medium' }))));
console.log('verify', JSON.stringify(await call('POST', '/verify/', form({ photo1: a, photo2: b }))));
await call('DELETE', `/face/id/${results[0].id}/`);
await call('DELETE', '/galleries/example');
console.log('deleted');
