/**
 * How many enrolments per second one PostgreSQL takes from two nodes, and what each costs it.
 *
 *   node --import tsx bench/scale-out/writes.bench.ts [--seconds 15] [--in-flight 16] [--galleries 1,8]
 *        [--bulk 100] [--database-url URL] [--out FILE]
 *
 * Two node processes (1 inference worker each; templates, so the models play no part), one
 * account. For each gallery count G: --in-flight requests at once, round-robin over the nodes,
 * each enrolling one random template (`POST /v1/galleries/g<k>/faces`, k cycling over G) for
 * --seconds; then the same with bulk requests of --bulk templates. Each enrolment is one
 * transaction (the face, its two memberships: gallery and account set, both marks, NOTIFY) under
 * the gallery's advisory lock, then both nodes index it (the writer at once, the other on the
 * notice). Reported: faces/s, request p50/p99, and from PostgreSQL's own counters per face:
 * commits (pg_stat_database.xact_commit) and WAL bytes (pg_current_wal_lsn), the figure a
 * replica's link and the archive must carry; and CPU ms per face of PostgreSQL's processes and of
 * the nodes (on one machine, to tell what would saturate first). Run it on a cluster with fsync on (the test
 * cluster of scripts/test-postgres.sh has it off); the result records the settings.
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { RESULTS, pgCpuMeter, benchKey, benchSchema, createGallery, databaseUrl, latency, log, machine, modelKeyOf, pgInfo, randomUnit, round, startNodes, writeResult, type BenchNode } from './cluster.js';
import type pg from 'pg';

async function counters(pool: pg.Pool): Promise<{ commits: number; wal: bigint }> {
  const r = await pool.query<{ commits: string; lsn: string }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS commits, pg_current_wal_lsn()::text AS lsn`,
  );
  const [hi, lo] = r.rows[0]!.lsn.split('/');
  return { commits: Number(r.rows[0]!.commits), wal: (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '15' },
      'in-flight': { type: 'string', default: '16' },
      galleries: { type: 'string', default: '1,8' },
      bulk: { type: 'string', default: '100' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const inFlight = Number(values['in-flight']);
  const bulk = Number(values.bulk);
  const counts = values.galleries.split(',').map(Number);
  const info = machine();
  log(`scale-out writes: ${inFlight} in flight over 2 nodes, ${seconds} s each; load ${info.loadAverageAtStart.join(' ')}`);
  const schema = await benchSchema(databaseUrl(values['database-url']), 'bench_writes');
  let nodes: BenchNode[] = [];
  try {
    nodes = await startNodes(['writes-a', 'writes-b'], schema.url, { VISAGE_WORKERS: '1' });
    const key = await benchKey(nodes[0]!);
    for (let k = 0; k < Math.max(...counts); k++) await createGallery(nodes[0]!, key, `g${k}`);
    const modelKey = await modelKeyOf(nodes[0]!, key);
    // A pool of templates made before timing (encoding is the client's work, not the server's).
    const pool = Array.from({ length: 4096 }, () => encodeTemplate({ modelKey, vector: randomUnit() }));
    let serial = 0;

    const run = async (galleries: number, perRequest: number) => {
      const ms: number[] = [];
      const msByNode: number[][] = nodes.map(() => []);
      let faces = 0;
      let failed = 0;
      let k = 0;
      const load1 = round(loadavg()[0]!, 2);
      const c0 = await counters(schema.pool);
      const pgMeter = await pgCpuMeter(schema.pool);
      const node0 = nodes.map((n) => n.cpuMs());
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (performance.now() < end) {
            const i = k++;
            const node = nodes[i % nodes.length]!;
            const g = `g${i % galleries}`;
            const q0 = performance.now();
            const r =
              perRequest === 1
                ? await node.call('POST', `/v1/galleries/${g}/faces`, { key, body: { template: pool[serial % pool.length], id: `w${serial++}` } })
                : await node.call('POST', `/v1/galleries/${g}/faces/bulk`, {
                    key,
                    body: { items: Array.from({ length: perRequest }, () => ({ template: pool[serial % pool.length], id: `w${serial++}` })) },
                  });
            ms.push(performance.now() - q0);
            msByNode[i % nodes.length]!.push(performance.now() - q0);
            if (r.status !== 200) failed++;
            else faces += perRequest === 1 ? 1 : (r.json.results as { ok: boolean }[]).filter((x) => x.ok).length;
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      const c1 = await counters(schema.pool);
      const pgMs = pgMeter?.stop() ?? null;
      const nodeMs = nodes.reduce((a, n, i) => a + n.cpuMs() - node0[i]!, 0);
      const l = latency(ms);
      const out = {
        galleries,
        facesPerRequest: perRequest,
        facesPerSecond: round(faces / secs, 1),
        faces,
        failedRequests: failed,
        requestP50: l.p50,
        requestP99: l.p99,
        // Per node: a gap between them means one node's writers wait behind the other's.
        requestP50P99ByNode: msByNode.map((x) => [latency(x).p50, latency(x).p99]),
        // The counters include the nodes' other statements (job polls, marks read before searches).
        commitsPerFace: round((c1.commits - c0.commits) / Math.max(1, faces), 2),
        walBytesPerFace: Math.round(Number(c1.wal - c0.wal) / Math.max(1, faces)),
        // CPU per face: PostgreSQL's processes (all of the cluster's work in the interval) and both nodes'.
        postgresCpuMsPerFace: pgMs === null ? null : round(pgMs / Math.max(1, faces), 3),
        nodesCpuMsPerFace: round(nodeMs / Math.max(1, faces), 3),
        load1,
      };
      log(`  ${JSON.stringify(out)}`);
      return out;
    };
    // Warm-up (untimed figures): the first writes of a gallery allocate its index.
    for (const g of counts) await Promise.all(Array.from({ length: g }, (_, i) => nodes[i % 2]!.call('POST', `/v1/galleries/g${i}/faces`, { key, body: { template: pool[0], id: `warm${i}` } })));
    const results = [];
    for (const g of counts) results.push(await run(g, 1));
    for (const g of counts) results.push(await run(g, bulk));
    const result = {
      machine: info,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      postgres: await pgInfo(schema.pool),
      method: { nodes: 2, workersPerNode: 1, inFlight, seconds, balancing: 'round-robin per request', payload: 'random 512-d templates with a client id' },
      results,
    };
    writeResult(values.out ?? join(RESULTS, 'scale-out-writes.json'), result);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await schema.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`writes bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
