/**
 * Child process for the crash test: enrols synthetic templates one at a time (and every tenth
 * step a bulk of 20) into <dataDir>, printing "ack <clientId>" after each acknowledged write,
 * until it is killed. Index saves are frequent so kills also land mid-save.
 */
import { randomUnit, rng } from './synthetic-vectors.js';
import { DIM, openService, tpl } from './gallery-harness.js';

const dir = process.argv[2]!;
const run = process.argv[3] ?? '1';
const { svc, store } = openService(dir, { saveDelayMs: 5 });
if (!(await store.getGallery('default', 'g'))) await svc.createGallery({ name: 'g' });
const rand = rng(Number(run));
for (let i = 0; ; i++) {
  if (i % 10 === 9) {
    const items = Array.from({ length: 20 }, (_, j) => ({ template: tpl(randomUnit(DIM, rand)), clientId: `r${run}b${i}-${j}` }));
    const res = await svc.enrolBulk('g', items);
    for (const r of res) if (r.ok) process.stdout.write(`ack ${r.clientId}\n`);
  } else {
    await svc.enrol('g', { template: tpl(randomUnit(DIM, rand)) }, { clientId: `r${run}s${i}` });
    process.stdout.write(`ack r${run}s${i}\n`);
  }
}
