/**
 * Child process for the multi-process claim test: claims jobs of kind 'race' from the SQLite
 * file <path> as worker <name> until none are left, printing each claimed job id.
 */
import { SqliteJobQueue } from '../../src/adapters/store/sqlite/sqlite-job.queue.js';

const [path, name] = process.argv.slice(2) as [string, string];
const q = SqliteJobQueue.open(path);
for (;;) {
  const c = await q.claim(['race'], `${name}:w`, 600_000);
  if (!c) break;
  process.stdout.write(`${c.job.id}\n`);
}
await q.close();
