// `visage index <folder>` follows symbolic links to photos and to folders (a loop is walked once),
// names the database it writes to, refuses a data dir without one unless asked to create it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readIndexSource } from '../../src/cli/index-source.reader.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';
import { someLfwPhoto } from '../helpers/eval-photos.js';

function capture(dataDir: string) {
  const o = { out: '', err: '' };
  const deps = {
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    loadAnalyzer: async () => new FakeAnalyzer(),
    env: { VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '1' },
  };
  return { o, deps };
}

/** A library of real photos and a folder that links into it, as a user's "selected" folder. */
function linkedFolder(root: string): { library: string; linked: string } {
  const library = join(root, 'library');
  mkdirSync(join(library, 'trip'), { recursive: true });
  writeFileSync(join(library, 'ann.jpg'), someLfwPhoto(3));
  writeFileSync(join(library, 'trip', 'bob.jpg'), someLfwPhoto(10));
  writeFileSync(join(library, 'trip', 'cy.jpg'), someLfwPhoto(20));
  const linked = join(root, 'selected');
  mkdirSync(linked);
  symlinkSync(join(library, 'ann.jpg'), join(linked, 'ann.jpg')); // a link to a photo
  symlinkSync(join(library, 'trip'), join(linked, 'trip')); // a link to a folder
  symlinkSync(linked, join(linked, 'trip', 'back')); // a loop back to the top
  symlinkSync(join(linked, 'trip'), join(linked, 'again')); // the same folder a second time
  symlinkSync(join(root, 'gone.jpg'), join(linked, 'dangling.jpg')); // points at nothing
  return { library, linked };
}

test('a folder of symbolic links is read through: links to photos and folders, loops walked once', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'visage-links-')));
  try {
    const { linked } = linkedFolder(root);
    const items = readIndexSource(linked)!;
    const ok = items.filter((i) => !i.error);
    assert.deepEqual(ok.map((i) => i.clientId).sort(), ['ann', 'bob', 'cy']);
    // The dangling link is reported, not silently dropped.
    const bad = items.filter((i) => i.error);
    assert.deepEqual(bad.map((i) => [i.clientId, i.error!.code]), [['dangling', 'UNREADABLE']]);
    assert.match(bad[0]!.error!.message, /dangling\.jpg.*points at nothing/);
    // A source that is itself a link to a folder works too.
    symlinkSync(linked, join(root, 'shortcut'));
    assert.equal(readIndexSource(join(root, 'shortcut'))!.filter((i) => !i.error).length, 3);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('index enrols linked photos, names its database, and will not create one by accident', async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'visage-links-')));
  try {
    const { linked } = linkedFolder(root);
    const data = join(root, 'data');
    const db = join(data, 'visage.db');

    const refused = capture(data);
    assert.equal(await main(['index', linked, '--gallery', 'staff'], refused.deps), 1);
    assert.match(refused.o.err, new RegExp(`no Visage database at ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(data dir from VISAGE_DATA_DIR\\)`));
    assert.match(refused.o.err, /--data-dir/);
    assert.match(refused.o.err, /--create-database/);
    assert.equal(existsSync(db), false);

    const first = capture(data);
    assert.equal(await main(['index', linked, '--gallery', 'staff', '--create-database'], first.deps), 1 - 1, first.o.err);
    assert.match(first.o.err, new RegExp(`^created new database at ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\n`));
    assert.match(first.o.out, /gallery staff: 4 photos/);
    assert.match(first.o.out, /enrolled +3\n/);
    assert.match(first.o.out, /UNREADABLE 1/);

    const again = capture(data);
    assert.equal(await main(['index', linked, '--gallery', 'staff'], again.deps), 0, again.o.err);
    assert.match(again.o.err, new RegExp(`^database: ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\n`));
    assert.match(again.o.out, /already enrolled 3/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    process.exitCode = 0;
  }
});
