// `visage catalogue import` and `demo` with the real models on a few real LFW photos: per-row
// errors, a resumed import that adds nothing twice, CSV rows, and the demo labelled made up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { parseCsv } from '../../src/cli/catalogue.command.js';
import { EVAL_DIR } from '../helpers/eval-photos.js';

const dir = mkdtempSync(join(tmpdir(), 'visage-catalogue-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const env = { VISAGE_DATA_DIR: join(dir, 'data'), VISAGE_WORKERS: '1', EVAL_DIR };

async function run(...argv: string[]) {
  const o = { out: '', err: '', code: 0 };
  o.code = await main(argv, { stdout: (s) => void (o.out += s), stderr: (s) => void (o.err += s), env });
  process.exitCode = 0; // main sets it for a real process; the code is asserted here
  return o;
}

const catalogue = {
  agencies: [{ external_id: 'a1', title: 'Test agency', languages: ['en'] }],
  models: [
    { external_id: 'm1', agency: 'a1', name: 'First', gender: 'male', height: 180, photos: ['lfw/images/Abdullah_Gul/Abdullah_Gul_0001.jpg'] },
    { external_id: 'm2', agency: 'a1', name: 'Second', gender: 'male', height: 'tall', photos: [] },
    { external_id: 'm3', agency: 'a1', name: 'Third', gender: 'male', photos: ['lfw/images/no-such-person/missing.jpg'] },
  ],
  reviews: [
    { agency: 'a1', author: 'agent', type: 'positive', text: 'Fine.', date: '2024-01-01' },
    { agency: 'a1', author: 'agent', type: 'glowing', text: 'Bad type.', date: '2024-01-02' },
  ],
};

test('import reports each bad row and, run again, adds nothing twice', async () => {
  const file = join(dir, 'catalogue.json');
  writeFileSync(file, JSON.stringify(catalogue));
  const missing = await run('catalogue', 'import', file, '--photos', EVAL_DIR);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no Visage database/);

  const first = await run('catalogue', 'import', file, '--photos', EVAL_DIR, '--create-database');
  assert.equal(first.code, 1, first.err);
  assert.match(first.out, /agencies: 1 created, 0 already there/);
  assert.match(first.out, /models: {3}2 created/);
  assert.match(first.out, /photos: {3}1 added, 0 already there/);
  assert.match(first.out, /reviews: {2}1 created/);
  assert.match(first.out, /model row 2: BAD_PARAM .*height/);
  assert.match(first.out, /photo row 3: BAD_PARAM cannot read photo lfw\/images\/no-such-person\/missing.jpg/);
  assert.match(first.out, /review row 2: BAD_PARAM/);
  assert.match(first.err, /6\/6|100\.0 ?%/); // the progress line reached the end

  const again = await run('catalogue', 'import', file, '--photos', EVAL_DIR);
  assert.match(again.out, /agencies: 0 created, 1 already there/);
  assert.match(again.out, /models: {3}0 created, 2 already there/);
  assert.match(again.out, /photos: {3}0 added, 1 already there/);
  assert.match(again.out, /reviews: {2}0 created/);
});

test('a CSV catalogue: one kind column, lists in quoted cells, photos split by ;', async () => {
  assert.deepEqual(parseCsv('a,"b,c","d ""e"""\n\n1,2,3\r\n'), [['a', 'b,c', 'd "e"'], ['1', '2', '3']]);
  const file = join(dir, 'catalogue.csv');
  writeFileSync(
    file,
    [
      'kind,external_id,title,languages,agency,name,gender,photos',
      'agency,c1,CSV agency,"en,fr",,,,',
      'model,c2,,,c1,CSV model,male,lfw/images/Abdullah_Gul/Abdullah_Gul_0002.jpg;lfw/images/Abdullah_Gul/Abdullah_Gul_0003.jpg',
      'person,x,,,,,,',
    ].join('\n'),
  );
  const r = await run('catalogue', 'import', file, '--photos', EVAL_DIR);
  assert.match(r.err, /line 4: kind "person" is not agency, model or review/);
  assert.match(r.out, /agencies: 1 created/);
  assert.match(r.out, /photos: {3}2 added/);
  assert.equal(r.code, 1);
});

test('demo loads the made-up demo catalogue and says so', async () => {
  const r = await run('catalogue', 'demo', '--size', '2');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.err, /made-up agencies, names and measurements/);
  assert.match(r.out, /agencies: 3 created/);
  assert.match(r.out, /models: {3}2 created/);
  assert.match(r.out, /photos: {3}2 added/);
  const usage = await run('catalogue', 'nothing');
  assert.equal(usage.code, 2);
});
