// kill -9 during a bulk enrolment: two real Visage processes (`bin/visage.mjs serve`, the real
// models, one inference worker each) on one PostgreSQL with galleries there, fed real LFW
// photos over HTTP. SIGKILL lands on the node doing the work, mid-way:
//  - a large add (a durable job): what the killed node acknowledged (per-item results in the
//    job's status, faces it listed) stays; the other node takes the job once its lease runs out
//    (VISAGE_JOB_LEASE_MS, short here) and finishes it, each photo enrolled exactly once; the
//    survivor finds every enrolled face;
//  - synchronous bulk requests: every batch answered before the kill is there in full; the one
//    in flight is all or nothing (one transaction), and a client's retry on the other node
//    neither loses nor doubles it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { EVAL_DIR, evalPhoto } from '../helpers/eval-photos.js';
import { ADMIN_KEY, request, type CallOptions, type LiveResponse } from '../helpers/live-server.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

const LEASE_MS = 3000;

interface Node {
  name: string;
  port: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  call(method: string, path: string, o?: CallOptions): Promise<LiveResponse>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `npm start` as an operator runs it, one node of the cluster; resolves once /ready is 200. */
async function startNode(name: string, databaseUrl: string, dataDirs: string[]): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), `visage-kill-${name}-`));
  dataDirs.push(dataDir);
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    VISAGE_GALLERIES_ON_POSTGRES: 'true',
    VISAGE_ADMIN_KEY: ADMIN_KEY,
    VISAGE_NODE_NAME: name,
    VISAGE_PORT: String(port),
    VISAGE_HOST: '127.0.0.1',
    VISAGE_DATA_DIR: dataDir,
    VISAGE_WORKERS: '1',
    VISAGE_JOB_LEASE_MS: String(LEASE_MS),
    VISAGE_LOG_LEVEL: process.env.DEBUG_LOG ?? 'warn',
    EVAL_DIR,
  };
  const proc = spawn(process.execPath, ['--single-threaded-gc', 'bin/visage.mjs', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const node: Node = { name, port, proc, exited, output: () => out, call: (m, p, o) => request(port, m, p, o) };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited at start (${proc.exitCode}):\n${out}`);
    const r = await node.call('GET', '/ready').catch(() => null);
    if (r?.status === 200) return node;
    if (Date.now() > deadline) throw new Error(`${name} not ready in 60 s:\n${out}`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kill9(node: Node): Promise<void> {
  node.proc.kill('SIGKILL');
  assert.equal(await node.exited, null, `${node.name} died of the signal`);
}

async function stop(node: Node | undefined): Promise<void> {
  if (!node || node.proc.exitCode !== null || node.proc.signalCode !== null) return;
  node.proc.kill('SIGTERM');
  await node.exited;
}

/** LFW photos by LABELS row, as base64 (real JPEGs, one face each). */
function lfwPhotos(from: number, n: number): string[] {
  const rows = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1);
  return rows.slice(from, from + n).map((line) => evalPhoto(join('lfw', line.split(',')[0]!)).toString('base64'));
}

/** Two nodes on a fresh schema, a gallery, a token key and a login key (FaceMatch) of one account. */
async function cluster(dataDirs: string[], galleries: string[]) {
  const schema = freshSchema();
  const db = await poolOn(schema, 2); // migrates the schema; the test reads the rows through it
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const nodes = [await startNode('node-a', url, dataDirs), await startNode('node-b', url, dataDirs)] as const;
  const mk = async (body: Record<string, unknown>) => {
    const r = await nodes[0].call('POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'crew', rate_per_second: 100000, burst: 100000, ...body } });
    assert.equal(r.status, 201, r.text);
    return r.json.secret as string;
  };
  const token = await mk({ name: 'native' });
  const login = await mk({ login: 'crew-user' });
  for (const name of galleries) assert.equal((await nodes[0].call('POST', '/v1/galleries', { key: token, body: { name } })).status, 200);
  return { db, nodes, token, login };
}

interface FaceRow {
  id: string;
  client_id: string;
  model_key: string;
  vector: Buffer;
}

async function facesIn(db: pg.Pool, gallery: string): Promise<FaceRow[]> {
  const r = await db.query<FaceRow>(
    `SELECT f.id::text, f.client_id, g.model_key, f.vector FROM faces f JOIN face_galleries fg ON fg.face_id = f.id
     JOIN galleries g ON g.id = fg.gallery_id WHERE g.name = $1 AND NOT g.account_set ORDER BY f.id`,
    [gallery],
  );
  return r.rows;
}

/**
 * The stored counts agree with the rows (the test's account has this one gallery): the gallery's
 * and the account set's face_count, and each face of the gallery in the account set.
 */
async function assertCounts(db: pg.Pool, gallery: string, n: number): Promise<void> {
  const g = await db.query<{ face_count: string; members: string }>(
    `SELECT g.face_count::text, (SELECT count(*) FROM face_galleries fg WHERE fg.gallery_id = g.id)::text AS members FROM galleries g WHERE g.name = $1`,
    [gallery],
  );
  assert.deepEqual(g.rows[0], { face_count: String(n), members: String(n) }, `${gallery}: face_count and memberships`);
  const set = await db.query<{ face_count: string; members: string }>(
    `SELECT g.face_count::text, (SELECT count(*) FROM face_galleries fg WHERE fg.gallery_id = g.id)::text AS members FROM galleries g WHERE g.account_set`,
  );
  assert.deepEqual(set.rows, [{ face_count: String(n), members: String(n) }], 'the account set: face_count and memberships');
  const outside = await db.query(
    `SELECT fg.face_id FROM face_galleries fg JOIN galleries g ON g.id = fg.gallery_id WHERE g.name = $1
     AND fg.face_id NOT IN (SELECT s.face_id FROM face_galleries s JOIN galleries a ON a.id = s.gallery_id WHERE a.account_set)`,
    [gallery],
  );
  assert.deepEqual(outside.rows, [], 'every face of the gallery is in the account set');
}

/** Every face of the gallery is the first hit of a search by its own stored template on `node`. */
async function assertAllFound(node: Node, key: string, gallery: string, rows: FaceRow[]): Promise<void> {
  const misses: string[] = [];
  for (const f of rows) {
    const vector = new Float32Array(new Uint8Array(f.vector).buffer, 0, f.vector.length / 4);
    const r = await node.call('POST', `/v1/galleries/${gallery}/search`, { key, body: { template: encodeTemplate({ modelKey: f.model_key, vector }), limit: 3, threshold: 'none' } });
    assert.equal(r.status, 200, r.text);
    const top = r.json.faces[0]?.matches ?? [];
    // A near-duplicate photo in LFW may tie at similarity 1: the face must be among the equal best.
    const best = top.filter((m: { similarity: number }) => m.similarity >= top[0].similarity);
    if (!best.some((m: { face: { id: number } }) => String(m.face.id) === f.id)) misses.push(f.client_id);
  }
  assert.deepEqual(misses, [], `every enrolled face found on ${node.name}`);
}

withPostgres('kill -9 during bulk enrolment on two nodes', () => {
  test('a large add held by a killed node: nothing it acknowledged is lost, the other node finishes it, each photo once', { timeout: 240_000 }, async () => {
    const dataDirs: string[] = [];
    let nodes: readonly [Node, Node] | undefined;
    try {
      const N = 200;
      const c = await cluster(dataDirs, ['big']);
      nodes = c.nodes;
      const ids = Array.from({ length: N }, (_, i) => `lfw_${i}`);
      const photos = lfwPhotos(200, N);
      const fm = (node: Node, method: string, path: string, body?: unknown) =>
        node.call(method, `/facematch/v1${path}`, { body, headers: { authorization: c.login } });

      const add = await fm(nodes[0], 'POST', '/collection/big/add', ids.map((id, i) => ({ id, image: photos[i] })));
      assert.equal(add.status, 200, add.text);
      assert.ok(['queued', 'running'].includes(add.json.status), add.text);
      const jobId: string = add.json.jobId;

      // Whichever node claimed it (the one that took the request is woken at once) is the one to kill.
      let owner = '';
      for (const deadline = Date.now() + 10_000; !owner; await sleep(20)) {
        assert.ok(Date.now() < deadline, 'the job is claimed');
        owner = (await c.db.query<{ lease_owner: string | null }>('SELECT lease_owner FROM jobs WHERE id = $1', [jobId])).rows[0]?.lease_owner ?? '';
      }
      const victim = nodes.find((n) => owner.startsWith(`${n.name}:`))!;
      const survivor = nodes.find((n) => n !== victim)!;
      assert.ok(victim, `a node holds the job (${owner})`);

      // Let it acknowledge a good part, then kill it at a moment that moves with the run: often
      // between a commit and the checkpoint that records it, so the resumed attempt meets photos
      // already enrolled under their ids.
      let seen: LiveResponse;
      for (const deadline = Date.now() + 60_000; ; await sleep(50)) {
        seen = await fm(victim, 'GET', `/collection/big/add/${jobId}`);
        assert.equal(seen.status, 200, seen.text);
        if (seen.json.enrolled + seen.json.failed >= 40) break;
        assert.ok(Date.now() < deadline, `${victim.name} enrols: ${seen.text.slice(0, 300)}`);
      }
      const listed = await victim.call('GET', '/v1/galleries/big/faces?limit=1000', { key: c.token });
      await sleep(Math.random() * 80);
      await kill9(victim);
      const killedAt = Date.now();
      const committedAtKill = (await facesIn(c.db, 'big')).length;
      assert.equal(seen.json.status, 'running');
      assert.ok(seen.json.pending > 0, 'killed mid-way');
      const acked = new Map<string, number>(
        (seen.json.items as { id: string; status: string; faceId?: number }[]).filter((it) => it.status === 'enrolled').map((it) => [it.id, it.faceId!]),
      );
      assert.equal(listed.status, 200, listed.text);
      const listedBefore = new Map<string, number>(listed.json.faces.map((f: { client_id: string; id: number }) => [f.client_id, f.id]));
      assert.ok(acked.size >= 30, `${acked.size} acknowledged before the kill`);
      assert.ok(committedAtKill >= acked.size);

      // The survivor takes the job once the dead node's lease runs out, and finishes it.
      let s: LiveResponse;
      let takenAfter = 0;
      for (const deadline = Date.now() + 120_000; ; await sleep(100)) {
        s = await fm(survivor, 'GET', `/collection/big/add/${jobId}`);
        assert.equal(s.status, 200, s.text);
        if (!takenAfter) {
          const j = (await c.db.query<{ attempts: number }>('SELECT attempts FROM jobs WHERE id = $1', [jobId])).rows[0]!;
          if (j.attempts > 1) takenAfter = Date.now() - killedAt;
        }
        if (s.json.status !== 'running' && s.json.status !== 'queued') break;
        assert.ok(Date.now() < deadline, `the job finishes on ${survivor.name}: ${s.text.slice(0, 300)}`);
      }
      assert.equal(s.json.status, 'succeeded', s.text.slice(0, 500));
      // Not before the dead node's last heartbeat (every LEASE_MS / 3) plus the lease, give or take the survivor's 1 s poll.
      assert.ok(takenAfter > 0 && takenAfter < LEASE_MS + 3000, `taken over ${takenAfter} ms after the kill`);
      const job = await survivor.call('GET', `/v1/jobs/${jobId}`, { key: c.token });
      assert.equal(job.json.attempts, 2, 'a second attempt, on the survivor (the victim is dead)');
      if (process.env.DEBUG_LOG) console.log(`killed ${victim.name} at ${acked.size} of ${N} acknowledged, ${committedAtKill} committed; ${survivor.name} went on ${takenAfter} ms later (lease ${LEASE_MS} ms)`);

      const items = s.json.items as { id: string; status: string; faceId?: number; code?: string }[];
      assert.deepEqual(items.map((i) => i.id), ids, 'every photo answered, in order');
      assert.equal(s.json.pending, 0);
      for (const it of items) if (it.status === 'failed') assert.notEqual(it.code, 'DUPLICATE_ID', `${it.id}: a resumed photo is not refused as its own duplicate`);
      const enrolled = new Map(items.filter((i) => i.status === 'enrolled').map((i) => [i.id, i.faceId!]));
      assert.ok(enrolled.size >= N - 3, `${enrolled.size} of ${N} LFW photos enrolled`);
      for (const [id, faceId] of acked) assert.equal(enrolled.get(id), faceId, `${id}: acknowledged by ${victim.name} as face ${faceId}, kept`);
      for (const [id, faceId] of listedBefore) assert.equal(enrolled.get(id), faceId, `${id}: listed by ${victim.name} as face ${faceId}, kept`);

      // Exactly once: one row per enrolled photo, the one its result names, and nothing else.
      const rows = await facesIn(c.db, 'big');
      assert.deepEqual(new Map(rows.map((r) => [r.client_id, Number(r.id)])), enrolled, 'the gallery holds each enrolled photo once, as its result says');
      assert.equal(rows.length, enrolled.size);
      await assertCounts(c.db, 'big', rows.length);
      for (const [id, faceId] of acked) {
        const f = await survivor.call('GET', `/v1/galleries/big/faces/${id}?id_type=client`, { key: c.token });
        assert.equal(f.json.id, faceId, `${id} read on ${survivor.name}`);
      }
      await assertAllFound(survivor, c.token, 'big', rows);
    } finally {
      await stop(nodes?.[0]);
      await stop(nodes?.[1]);
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    }
  });

  test('synchronous bulk requests on a killed node: answered batches kept whole, the one in flight all or nothing, a retry elsewhere exact', { timeout: 240_000 }, async () => {
    const dataDirs: string[] = [];
    let nodes: readonly [Node, Node] | undefined;
    try {
      const BATCH = 8;
      const BATCHES = 10;
      const c = await cluster(dataDirs, ['sync']);
      nodes = c.nodes;
      const [victim, survivor] = nodes;
      const photos = lfwPhotos(400, BATCH * BATCHES);
      const batch = (b: number) => Array.from({ length: BATCH }, (_, j) => ({ id: `s${b}_${j}`, image: photos[b * BATCH + j] }));
      const bulk = (node: Node, b: number) => node.call('POST', '/v1/galleries/sync/faces/bulk', { key: c.token, body: { items: batch(b) } });

      // Batches one after another on the victim; SIGKILL while batch `inFlight` is being handled.
      const answered = new Map<string, number>();
      const answeredBatches: number[] = [];
      let inFlight = -1;
      let lastMs = 0;
      const record = (r: LiveResponse, b: number) => {
        assert.equal(r.status, 200, r.text);
        for (const it of r.json.results as { ok: boolean; client_id: string; face?: { id: number } }[]) {
          assert.ok(it.ok, JSON.stringify(it));
          answered.set(it.client_id, it.face!.id);
        }
        answeredBatches.push(b);
      };
      for (let b = 0; b < BATCHES; b++) {
        const t0 = Date.now();
        const pending = bulk(victim, b);
        if (b < 3) {
          record(await pending, b);
          lastMs = Date.now() - t0;
          continue;
        }
        // The first batches show how long one takes; this one dies at a point inside it that
        // moves with the run (analysis, or as late as the commit). Answered first: try the next.
        const early = await Promise.race([pending, sleep(Math.floor(lastMs * (0.2 + 0.75 * Math.random()))).then(() => null)]);
        if (early) {
          record(early, b);
          continue;
        }
        await kill9(victim);
        const late = await pending.catch(() => null);
        if (late) record(late, b); // its answer was on the wire already
        else inFlight = b;
        break;
      }
      assert.ok(victim.proc.signalCode === 'SIGKILL', 'the victim was killed during a batch');
      assert.equal(answered.size, answeredBatches.length * BATCH);

      // What the victim answered is all on the survivor; the killed batch is all or none.
      const rows = await facesIn(c.db, 'sync');
      const stored = new Map(rows.map((r) => [r.client_id, Number(r.id)]));
      for (const [id, faceId] of answered) assert.equal(stored.get(id), faceId, `${id} answered as face ${faceId}, kept`);
      if (inFlight < 0) return assert.equal(rows.length, answered.size); // (the kill came after the last answer)
      const ofKilled = batch(inFlight).filter((it) => stored.has(it.id)).length;
      assert.ok(ofKilled === 0 || ofKilled === BATCH, `the batch in flight is one transaction: ${ofKilled} of ${BATCH} stored`);
      assert.equal(rows.length, answered.size + ofKilled);
      await assertCounts(c.db, 'sync', rows.length);

      // The client retries the unanswered batch on the other node: enrolled once either way.
      const retry = await bulk(survivor, inFlight);
      assert.equal(retry.status, 200, retry.text);
      const codes = (retry.json.results as { ok: boolean; error?: { code: string } }[]).map((r) => (r.ok ? 'ok' : r.error!.code));
      assert.deepEqual(codes, new Array(BATCH).fill(ofKilled ? 'DUPLICATE_ID' : 'ok'), 'a retry adds what was lost and doubles nothing');
      const after = await facesIn(c.db, 'sync');
      assert.equal(after.length, answered.size + BATCH);
      assert.equal(new Set(after.map((r) => r.client_id)).size, after.length);
      await assertCounts(c.db, 'sync', after.length);
      await assertAllFound(survivor, c.token, 'sync', after);
      if (process.env.DEBUG_LOG) console.log(`sync: killed ${lastMs} ms batch mid-way; ${ofKilled} of its ${BATCH} had committed`);
    } finally {
      await stop(nodes?.[0]);
      await stop(nodes?.[1]);
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
