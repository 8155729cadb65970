// Every parameter of the FaceHub document (../shared/vendor-apis/facehub.txt, FACTS.md), one at a
// time, on a real server on loopback with the real models: each filter of /api/data/models (and
// /faces), /agencies and /reviews alone gives exactly the records the made-up demo catalogue
// holds for it; numbers take the document's bounds (signed 32 bits); perPage, page and sortDir
// page and order; and the tools' images[], key and perPage. docs/compat/facehub.md lists them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { demoCatalogue } from '../../../src/domain/catalogue-demo.rules.js';
import type { Gender } from '../../../src/domain/catalogue.model.js';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { EVAL_DIR, evalPhoto } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, adminCreateKey, startLive, type Live } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let live: Live;
let key: string;
const demo = (() => {
  const rows = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => ({ path: `lfw/${l.split(',')[0]}`, identity: l.split(',')[1]! }));
  const g = new Map(readFileSync(join(EVAL_DIR, 'lfw', 'gender.csv'), 'utf8').trim().split('\n').slice(1).map((l) => [`lfw/${l.split(',')[0]}`, (l.split(',')[1] === 'M' ? 'male' : 'female') as Gender]));
  return demoCatalogue(rows, g, 10);
})();
// What was created, as /v1 answered it, to compute each filter's expected records.
const agencies: Rec[] = [];
const models: Rec[] = [];
const reviews: Rec[] = [];

before(async () => {
  live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY }, { loadAnalyzer: (_n, engine) => loadRealAnalyzer(1, engine) });
  key = (await adminCreateKey(live, { account: 'hub', name: 'hub', scopes: 'all' })).secret;
  const post = async (path: string, body: Rec) => {
    const r = await live.call('POST', path, { key, body });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const A = new Map<string, number>();
  // The demo's agencies all take both genders: one more, female only, for `genders`.
  for (const a of [...demo.agencies, { external_id: 'demo-a4', title: 'Solo Studio (made-up demo agency)', mother: false, genders: ['female'], languages: ['EN', 'pt'] }]) {
    const created = await post('/v1/catalogue/agencies', a);
    A.set(a.external_id, created.id);
  }
  for (const m of demo.models) {
    const { agency, photos, ...fields } = m;
    models.push(await post('/v1/catalogue/models', { ...fields, agency_id: A.get(agency) }));
  }
  models.push(await post('/v1/catalogue/models', { name: 'Made-up Solo Model', gender: 'female', height: 170, eyes: 'Grey', hair: 'black', agency_id: A.get('demo-a4') }));
  const photo = multipart([{ name: 'image', value: evalPhoto(demo.models[0]!.photos[0]!), filename: 'a.jpg', type: 'image/jpeg' }]);
  assert.equal((await live.call('POST', `/v1/catalogue/models/${models[0]!.id}/photos`, { key, headers: photo.headers, body: photo.payload })).status, 201);
  for (const rv of demo.reviews) reviews.push(await post('/v1/catalogue/reviews', { ...rv, agency_id: A.get(rv.agency) }));
  agencies.push(...(await live.call('GET', '/v1/catalogue/agencies?per_page=100', { key })).json.items);
});
after(async () => live?.close());

const get = (path: string) => live.call('GET', `/facehub/api/data/${path}${path.includes('?') ? '&' : '?'}key=${key}`);
/** The ids a list answers (all on one page), after checking it answered 200. */
async function ids(path: string): Promise<number[]> {
  const r = await get(`${path}${path.includes('?') ? '&' : '?'}perPage=100`);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  assert.equal(r.json.totalResults, r.json.results.length, path);
  return r.json.results.map((x: Rec) => x.id);
}
const idsOf = (rows: Rec[]) => rows.map((x) => x.id).sort((a, b) => a - b);
async function refused(path: string, param: string) {
  const r = await get(path);
  assert.equal(r.status, 400, `${path}: ${r.status} ${r.text}`);
  assert.equal(r.json.errorCode, 'BAD_PARAM', path);
  assert.match(r.json.errorMessage, new RegExp(param.replace(/[[\]]/g, '\\$&')), path);
}

test('models and faces: each filter alone gives exactly the models that have that value', async () => {
  const hub = (m: Rec): Rec => ({ ...m, gender: m.gender === 'male' ? 1 : 0 });
  for (const f of ['agency_id', 'gender', 'height', 'bust', 'waist', 'hips', 'shoes', 'eyes', 'hair']) {
    for (const v of new Set(models.map((m) => hub(m)[f]).filter((x) => x !== null))) {
      const want = idsOf(models.filter((m) => hub(m)[f] === v));
      for (const path of ['models', 'faces']) assert.deepEqual(await ids(`${path}?${f}=${encodeURIComponent(String(v))}`), want, `${path} ${f}=${v}`);
    }
  }
  // Text filters ignore case (values are stored in lower case); filters combine with AND.
  assert.deepEqual(await ids('models?eyes=GREY'), idsOf(models.filter((m) => m.eyes === 'grey')));
  const m = models[3]!;
  assert.deepEqual(await ids(`models?agency_id=${m.agency_id}&gender=${m.gender === 'male' ? 1 : 0}&height=${m.height}`), idsOf(models.filter((x) => x.agency_id === m.agency_id && x.gender === m.gender && x.height === m.height)));
  // The answer carries every field the filters name, with gender as the document's 0/1.
  const one = (await get(`models?agency_id=${m.agency_id}&height=${m.height}&shoes=${m.shoes}`)).json.results.find((x: Rec) => x.id === m.id);
  assert.deepEqual(one, { id: m.id, agency_id: m.agency_id, name: m.name, gender: m.gender === 'male' ? 1 : 0, height: m.height, bust: m.bust, waist: m.waist, hips: m.hips, shoes: m.shoes, eyes: m.eyes, hair: m.hair, photos: [] });
});

test('numbers: any signed 32-bit whole number is a filter (a negative one matches nothing); beyond, or not whole, is BAD_PARAM', async () => {
  for (const f of ['agency_id', 'height', 'bust', 'waist', 'hips', 'shoes']) {
    assert.deepEqual(await ids(`models?${f}=2147483647`), [], f);
    assert.deepEqual(await ids(`models?${f}=-2147483648`), [], f);
    assert.deepEqual(await ids(`models?${f}=-1`), [], f);
    for (const bad of ['2147483648', '-2147483649', '1.5', '17cm', '1e3']) await refused(`models?${f}=${bad}`, f);
  }
  for (const f of ['male_count', 'female_count']) {
    assert.deepEqual(await ids(`agencies?${f}=2147483647`), [], f);
    await refused(`agencies?${f}=2147483648`, f);
  }
  // An empty value is no filter; a repeated one is refused rather than one of them guessed.
  assert.deepEqual(await ids('models?height=&eyes='), idsOf(models));
  await refused('models?height=170&height=171', 'height');
  // gender is the document's int: 0 or 1, not a word.
  for (const bad of ['2', '-1', 'female']) await refused(`models?gender=${bad}`, 'gender');
});

test('agencies: title, type, genders, language, male_count and female_count, each alone', async () => {
  for (const a of agencies) assert.deepEqual(await ids(`agencies?title=${encodeURIComponent(a.title)}`), [a.id]);
  assert.deepEqual(await ids('agencies?title=Northwind'), [], 'the whole title, not a part of it');
  assert.deepEqual(await ids('agencies?type=1'), idsOf(agencies.filter((a) => a.mother)));
  assert.deepEqual(await ids('agencies?type=0'), idsOf(agencies), 'type 0: all agencies');
  assert.deepEqual(await ids('agencies?genders=0'), idsOf(agencies.filter((a) => a.genders.join() === 'female')));
  assert.deepEqual(await ids('agencies?genders=1'), []);
  for (const bad of ['2', 'x']) {
    await refused(`agencies?type=${bad}`, 'type');
    await refused(`agencies?genders=${bad}`, 'genders');
  }
  for (const lang of ['en', 'EN', 'de', 'pt', 'it', 'ja']) assert.deepEqual(await ids(`agencies?language=${lang}`), idsOf(agencies.filter((a) => a.languages.includes(lang.toLowerCase()))), lang);
  for (const a of agencies) {
    assert.deepEqual(await ids(`agencies?male_count=${a.male_count}`), idsOf(agencies.filter((x) => x.male_count === a.male_count)));
    assert.deepEqual(await ids(`agencies?female_count=${a.female_count}`), idsOf(agencies.filter((x) => x.female_count === a.female_count)));
    // The counts are those of the catalogue itself.
    assert.equal(a.male_count + a.female_count, models.filter((m) => m.agency_id === a.id).length);
  }
  const shape = (await get('agencies?genders=0')).json.results[0];
  assert.deepEqual(Object.keys(shape).sort(), ['female_count', 'genders', 'id', 'languages', 'male_count', 'title', 'type']);
  assert.deepEqual([shape.type, shape.genders, shape.languages], [0, 0, ['en', 'pt']]);
});

test('reviews: agency_id as an id or as the agency\'s title, author and type, each alone', async () => {
  for (const a of agencies) {
    const want = idsOf(reviews.filter((r) => r.agency_id === a.id));
    assert.deepEqual(await ids(`reviews?agency_id=${a.id}`), want);
    assert.deepEqual(await ids(`reviews?agency_id=${encodeURIComponent(a.title)}`), want, 'the document types agency_id as the title');
  }
  assert.deepEqual(await ids('reviews?agency_id=No%20such%20agency'), []);
  assert.deepEqual(await ids('reviews?agency_id=-7'), []);
  await refused('reviews?agency_id=2147483648', 'agency_id');
  await refused(`reviews?agency_id=${agencies[0]!.id}&agency_id=${agencies[1]!.id}`, 'agency_id');
  for (const author of ['agent', 'model']) {
    assert.deepEqual(await ids(`reviews?author=${author}`), idsOf(reviews.filter((r) => r.author === author)));
    assert.deepEqual(await ids(`reviews?author=${author[0]!.toUpperCase()}${author.slice(1)}`), idsOf(reviews.filter((r) => r.author === author)), 'the document writes "Agent or model"');
  }
  for (const type of ['neutral', 'positive', 'negative']) assert.deepEqual(await ids(`reviews?type=${type}`), idsOf(reviews.filter((r) => r.type === type)));
  await refused('reviews?author=client', 'author');
  await refused('reviews?type=good', 'type');
  const r = (await get(`reviews?agency_id=${agencies[0]!.id}&author=agent`)).json.results[0];
  assert.deepEqual(Object.keys(r).sort(), ['agency_id', 'author', 'date', 'id', 'text', 'type']);
  assert.match(r.date, /^\d{4}-\d{2}-\d{2}$/);
});

test('perPage, page and sortDir on every list; unknown parameters ignored; a trailing slash is the same path', async () => {
  for (const [path, all] of [['models', models], ['faces', models], ['agencies', agencies], ['reviews', reviews]] as const) {
    const every = idsOf(all as Rec[]);
    const p2 = (await get(`${path}?perPage=2&page=2`)).json;
    assert.deepEqual([p2.page, p2.perPage, p2.totalResults, p2.totalPages], [2, 2, every.length, Math.ceil(every.length / 2)], path);
    assert.deepEqual(p2.results.map((x: Rec) => x.id), every.slice(2, 4), path);
    assert.deepEqual((await get(`${path}?sortDir=desc&perPage=100`)).json.results.map((x: Rec) => x.id), [...every].reverse(), path);
    assert.deepEqual((await get(`${path}?sortDir=DESC&perPage=100`)).json.results.map((x: Rec) => x.id), [...every].reverse(), path);
    assert.deepEqual((await get(`${path}?sortDir=asc&perPage=100`)).json.results.map((x: Rec) => x.id), every, path);
    assert.equal((await get(path)).json.perPage, 25, `${path}: default perPage`);
    // No maximum in the document: a larger page is served at 100 and says so.
    const big = (await get(`${path}?perPage=5000`)).json;
    assert.deepEqual([big.perPage, big.results.length], [100, every.length], path);
    const beyond = (await get(`${path}?page=999`)).json;
    assert.deepEqual([beyond.results, beyond.totalResults], [[], every.length], path);
    assert.deepEqual(await ids(`${path}/?whatever=1&Gender=1`), every, `${path}: unknown (and wrongly cased) names are ignored`);
    for (const bad of ['perPage=0', 'perPage=-1', 'page=0', 'page=2147483648', 'sortDir=up']) await refused(`${path}?${bad}`, bad.split('=')[0]!);
  }
});

test('tools: images[] (or images), the key as a form field or query parameter, at most 5 photos to score and 1 to search', async () => {
  const photo = evalPhoto(demo.models[0]!.photos[0]!);
  const form = (n: number, fields: Record<string, string> = {}, name = 'images[]') =>
    multipart([...Object.entries(fields).map(([k, value]) => ({ name: k, value })), ...Array.from({ length: n }, (_, i) => ({ name, value: photo, filename: `p${i}.jpg`, type: 'image/jpeg' }))]);
  const post = (path: string, mp: ReturnType<typeof form>, query = '') => live.call('POST', `/facehub/api/data/tools/${path}${query}`, { headers: mp.headers, body: mp.payload });
  const viaField = await post('scoring', form(1, { key }));
  assert.equal(viaField.status, 200, viaField.text);
  assert.deepEqual([viaField.json.status, viaField.json.faces, viaField.json.results.length], [1, 1, 1]);
  assert.ok(viaField.json.score > 0 && viaField.json.score <= 1000 && [0, 1].includes(viaField.json.gender) && viaField.json.age > 0);
  assert.equal((await post('scoring', form(1, {}, 'images'), `?key=${key}`)).json.score, viaField.json.score, 'images without [] and the key in the query');
  const six = await post('scoring', form(6, { key }));
  assert.equal(six.status, 413, 'up to 5 images');
  assert.equal(six.json.errorCode, 'MULTIPART_LIMIT');
  const none = await post('scoring', form(0, { key }));
  assert.deepEqual([none.status, none.json.errorCode], [400, 'IMAGE_MISSING']);
  // A file that is not a photo fails alone (status 0), beside one that is scored.
  const mixed = multipart([{ name: 'key', value: key }, { name: 'images[]', value: photo, filename: 'a.jpg', type: 'image/jpeg' }, { name: 'images[]', value: Buffer.from('not an image'), filename: 'b.jpg', type: 'image/jpeg' }]);
  const m = (await live.call('POST', '/facehub/api/data/tools/scoring', { headers: mixed.headers, body: mixed.payload })).json;
  assert.deepEqual([m.status, m.results[0].status, m.results[1].status, m.results[1].score], [1, 1, 0, 0]);
  const similar = await post('similar', form(1, { key, perPage: '1' }));
  assert.equal(similar.status, 200, similar.text);
  assert.deepEqual([similar.json.status, similar.json.faces, similar.json.results.length, similar.json.results[0].model.id], [1, 1, 1, models[0]!.id]);
  const two = await post('similar', form(2, { key }));
  assert.deepEqual([two.status, two.json.errorCode], [400, 'BAD_PARAM']);
  assert.match(two.json.errorMessage, /1 image/);
  assert.equal((await post('similar', form(1, { key, perPage: '0' }))).status, 400);
});
