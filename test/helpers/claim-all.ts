/**
 * Child process for the multi-process claim test: claims jobs of kind 'race' from the SQLite
 * file <path> as worker <name> until none are left, printing each claimed job id.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { SqliteJobQueue } from '../../src/adapters/store/sqlite/sqlite-job.queue.js';

const [path, name] = process.argv.slice(2) as [string, string];
const q = SqliteJobQueue.open(path);
// Start together: process start-up (hundreds of ms under load) would otherwise let the first
// child drain the queue before the others open it, and the race would not be tested.
writeFileSync(`${path}.ready-${name}`, '');
while (!existsSync(`${path}.go`)) await new Promise((r) => setTimeout(r, 5));
for (;;) {
  const c = await q.claim(['race'], `${name}:w`, 600_000);
  if (!c) break;
  process.stdout.write(`${c.job.id}\n`);
}
await q.close();
