/**
 * LFW identification through the HTTP API: a real server process (`bin/visage.mjs serve`) on a
 * loopback port with a temporary data dir and the real engine.
 *
 *   npm run bench -- search lfw                      # every LFW identity (about 7k photos)
 *   node --import tsx bench/search/lfw-identify.bench.ts --identities 600   # a subset, to time it
 *
 * Gallery: the first photo of every identity with 2+ photos, except every --holdout-th such
 * identity (held out, never enrolled), plus every single-photo identity as distractors; ids are
 * the identity names; enrolled with POST /faces/bulk (--batch photos a request).
 * Probes: every other photo of the 2+ identities, one POST /search each with limit 1:
 *   enrolled identities → rank-1 (the top match is the right person, whatever its similarity);
 *   held-out identities → open-set false-match rate at each preset (any candidate at or above it).
 * Every probe is searched once at threshold none; a preset's outcome is whether the top
 * similarity reaches the preset's threshold (read from the server). Also rank-1 per preset, enrol
 * throughput, search latency p50/p99 with a photo (analysis included) and with a template
 * (the index and the store alone). --concurrency requests are in flight at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { latency, lfwIdentities, log, machine, round, writeResult } from './search-common.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

interface SearchAnswer {
  threshold: number;
  faces: { matches: { similarity: number; face: { client_id: string | null } }[] }[];
}

/** Runs fn over items with `lanes` in flight. */
async function pool<T>(items: T[], lanes: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

export async function runLfwIdentifyBench(argv: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args: argv,
    options: {
      identities: { type: 'string' },
      holdout: { type: 'string', default: '10' },
      batch: { type: 'string', default: '32' },
      concurrency: { type: 'string', default: String(availableParallelism()) },
      'template-probes': { type: 'string', default: '200' },
      out: { type: 'string' },
    },
  });
  const all = lfwIdentities();
  const identities = values.identities ? all.slice(0, Number(values.identities)) : all;
  const holdout = Number(values.holdout);
  const lanes = Number(values.concurrency);
  const multi = identities.filter((i) => i.photos.length > 1);
  const heldOut = new Set(multi.filter((_, k) => k % holdout === holdout - 1).map((i) => i.name));
  const gallery = identities.filter((i) => !heldOut.has(i.name)).map((i) => ({ name: i.name, photo: i.photos[0]! }));
  const probes = multi.flatMap((i) => i.photos.slice(1).map((photo) => ({ name: i.name, photo, enrolled: !heldOut.has(i.name) })));
  log(`lfw identify: ${identities.length} identities, gallery ${gallery.length} (${multi.length - heldOut.size} with probes, ${gallery.length - multi.length + heldOut.size} distractors), ${heldOut.size} held out, ${probes.length} probes`);

  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-bench-search-'));
  const env = {
    ...process.env,
    VISAGE_PORT: String(port),
    VISAGE_HOST: '127.0.0.1',
    VISAGE_DATA_DIR: dataDir,
    VISAGE_LOG_LEVEL: 'fatal', // the 503s of /ready while the models load are logged as errors
    // The per-key rate limit and credits would measure the limiter, not the search.
    VISAGE_RATE_LIMIT_PER_SECOND: '1000000',
    VISAGE_RATE_LIMIT_BURST: '10000000',
    VISAGE_DEFAULT_MONTHLY_CREDITS: '0',
  };
  const key = spawnSync(process.execPath, [join(ROOT, 'bin/visage.mjs'), 'keys', 'create', '--account', 'bench', '--name', 'bench', '--scopes', 'all'], { cwd: ROOT, env, encoding: 'utf8' });
  const apiKey = /secret \(shown once\): (\S+)/.exec(key.stdout ?? '')?.[1];
  if (key.status !== 0 || !apiKey) throw new Error(`visage keys create failed (exit ${key.status}): ${key.stdout}${key.stderr}`);
  const server = spawn(process.execPath, [join(ROOT, 'bin/visage.mjs'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}/v1`;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
      if (Date.now() > deadline) throw new Error('the server was not ready after 180 s');
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const created = await post('/galleries', { name: 'lfw' });
    if (created.status !== 201 && created.status !== 200) throw new Error(`create gallery: HTTP ${created.status} ${JSON.stringify(created.body)}`);

    // Enrolment, in bulk.
    const batchSize = Number(values.batch);
    const batches = Array.from({ length: Math.ceil(gallery.length / batchSize) }, (_, b) => gallery.slice(b * batchSize, (b + 1) * batchSize));
    const enrolled = new Set<string>();
    const enrolFailures: Record<string, number> = {};
    let t0 = performance.now();
    await pool(batches, lanes, async (batch) => {
      const r = await post('/galleries/lfw/faces/bulk', { items: batch.map((g) => ({ id: g.name, image: readFileSync(g.photo).toString('base64') })) });
      if (r.status !== 200) throw new Error(`bulk enrol: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      for (const it of r.body.results as { ok: boolean; client_id: string; error?: { code: string } }[]) {
        if (it.ok) enrolled.add(it.client_id);
        else enrolFailures[it.error!.code] = (enrolFailures[it.error!.code] ?? 0) + 1;
      }
      if (enrolled.size % 512 < batchSize) log(`  enrolled ${enrolled.size}/${gallery.length}`);
    });
    const enrolSeconds = (performance.now() - t0) / 1000;
    log(`  enrolled ${enrolled.size} faces in ${round(enrolSeconds, 1)} s (${round(enrolled.size / enrolSeconds, 1)} faces/s); failures ${JSON.stringify(enrolFailures)}`);

    // Probes.
    const photoMs: number[] = [];
    let closedTotal = 0, rank1 = 0, openTotal = 0, probeNoFace = 0, probeExcluded = 0;
    const topSimilarity: number[] = [];
    const impostorTop: number[] = [];
    let done = 0;
    t0 = performance.now();
    await pool(probes, lanes, async (p) => {
      // A probe whose identity could not be enrolled (no face in its first photo) has no right answer.
      const known = p.enrolled && enrolled.has(p.name);
      if (p.enrolled && !known) {
        probeExcluded++;
        return;
      }
      const s0 = performance.now();
      // Threshold none: the top similarity tells the outcome at every preset (a match at a preset
      // is a similarity at or above its threshold), so one request per probe serves them all.
      const r = await post('/galleries/lfw/search', { image: readFileSync(p.photo).toString('base64'), limit: 1, threshold: 'none' });
      photoMs.push(performance.now() - s0);
      if (++done % 500 === 0) log(`  probes ${done}/${probes.length} (${round(done / ((performance.now() - t0) / 1000), 1)}/s)`);
      if (r.status === 422 && (r.body.error as { code?: string } | undefined)?.code === 'NO_FACE') {
        probeNoFace++;
        if (known) closedTotal++; // a miss: the person was not found
        return;
      }
      if (r.status !== 200) throw new Error(`search: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const a = r.body as unknown as SearchAnswer;
      const top = a.faces[0]?.matches[0];
      if (known) {
        closedTotal++;
        if (top?.face.client_id === p.name) {
          rank1++;
          topSimilarity.push(top.similarity);
        }
      } else {
        openTotal++;
        if (top) impostorTop.push(top.similarity);
      }
    });
    const probeSeconds = (performance.now() - t0) / 1000;
    // The presets' similarity thresholds, as the server reports them.
    const presets: Record<string, number> = {};
    for (const preset of ['strict', 'medium', 'low']) {
      const r = await post('/galleries/lfw/search', { image: readFileSync(probes[0]!.photo).toString('base64'), threshold: preset });
      presets[preset] = (r.body as unknown as SearchAnswer).threshold;
    }
    const atPreset = Object.fromEntries(
      Object.entries(presets).map(([name, t]) => [
        name,
        { threshold: t, rank1: round(topSimilarity.filter((s) => s >= t).length / closedTotal, 4), fmr: round(impostorTop.filter((s) => s >= t).length / openTotal, 4) },
      ]),
    );

    // Search by template: the index and the store without the photo analysis.
    const templateMs: number[] = [];
    for (const p of probes.filter((q) => q.enrolled).slice(0, Number(values['template-probes']))) {
      const t = await post('/templates', { image: readFileSync(p.photo).toString('base64') });
      const template = (t.body.faces as { template?: string }[] | undefined)?.[0]?.template;
      if (!template) continue;
      const s0 = performance.now();
      const r = await post('/galleries/lfw/search', { template, limit: 10, threshold: 'none' });
      templateMs.push(performance.now() - s0);
      if (r.status !== 200) throw new Error(`template search: HTTP ${r.status}`);
    }

    const result = {
      machine: machine(),
      setup: { identities: identities.length, galleryFaces: enrolled.size, heldOutIdentities: heldOut.size, probes: probes.length, concurrency: lanes, batch: batchSize },
      enrol: { faces: enrolled.size, seconds: round(enrolSeconds, 1), facesPerSecond: round(enrolled.size / enrolSeconds, 2), failures: enrolFailures },
      rank1: { probes: closedTotal, correct: rank1, rate: round(rank1 / closedTotal, 4), excludedNotEnrolled: probeExcluded },
      openSet: { probes: openTotal, fmrAtMedium: atPreset.medium!.fmr },
      atPreset,
      probeNoFace,
      searchWithPhotoMs: { ...latency(photoMs), perSecond: round(photoMs.length / probeSeconds, 2) },
      searchWithTemplateMs: latency(templateMs),
    };
    log(JSON.stringify(result, null, 2));
    writeResult(values.out ?? join(ROOT, 'bench/results', `search-lfw${values.identities ? `-${values.identities}` : ''}.json`), result);
    return result;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runLfwIdentifyBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`lfw identify bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
