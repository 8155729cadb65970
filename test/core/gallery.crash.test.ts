// kill -9 a real process mid-enrolment, reopen, and check that every acknowledged face is there,
// nothing is half-written, and search agrees with the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openService } from '../helpers/gallery-harness.js';

async function runAndKill(dir: string, seed: number, acksBeforeKill: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/enrol-forever.ts', dir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: string[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) acks.push(l.slice(4));
      if (acks.length >= acksBeforeKill && !child.killed) child.kill('SIGKILL');
    });
  });
  return acks;
}

test('kill -9 during enrolment loses no acknowledged face and leaves nothing half-written', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const acked = [...(await runAndKill(dir, 1, 150)), ...(await runAndKill(dir, 2, 120))];
  assert.ok(acked.length >= 270);

  const db = new Database(join(dir, 'visage.db'), { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const rows = db.prepare('SELECT client_id, length(vector) AS n FROM faces').all() as { client_id: string; n: number }[];
  const g = db.prepare('SELECT face_count FROM galleries').get() as { face_count: number };
  db.close();
  const present = new Set(rows.map((r) => r.client_id));
  assert.deepEqual(acked.filter((id) => !present.has(id)), [], 'every acknowledged face survived');
  assert.ok(rows.every((r) => r.n === 32 * 4), 'no truncated vectors');
  assert.equal(g.face_count, rows.length, 'the face count matches the rows');

  // The index (possibly behind or torn) is repaired at start-up and agrees with the store.
  const s = openService(dir);
  await s.indexes.warmUp(await s.svc.listGalleries());
  const index = await s.indexes.get(await s.svc.getGallery('g'));
  assert.equal(index.size, rows.length);
  await s.close();
});
