/**
 * Search sessions as one folder each under the data dir (`searches/<id>/`): session.json, the
 * uploaded photos, their WEBP previews and result.json. Files rather than database rows so that
 * deleting a search unlinks its bytes at once (no free pages of a database file keep them), and
 * an expired search is visibly gone from disk. Writes go to a temporary name and are renamed, so
 * a crash leaves the old file or the new one.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonValue } from '../../../domain/gallery.rules.js';
import type { SearchSession, SearchSessionStore } from '../../../ports/search-session-store.port.js';

const SAFE_ID = /^[A-Za-z0-9_-]{8,64}$/;

interface SessionFile extends Omit<SearchSession, 'createdAt' | 'expiresAt'> {
  createdAt: number;
  expiresAt: number;
}

export class FileSearchSessionStore implements SearchSessionStore {
  constructor(private readonly dir: string) {}

  private folder(id: string): string | null {
    return SAFE_ID.test(id) ? join(this.dir, id) : null;
  }

  private async write(path: string, data: Uint8Array | string): Promise<void> {
    await writeFile(`${path}.tmp`, data);
    await rename(`${path}.tmp`, path);
  }

  async create(s: SearchSession, photos: Uint8Array[], previews: Uint8Array[]): Promise<void> {
    const f = this.folder(s.id);
    if (!f) throw new RangeError('bad search id');
    await mkdir(f, { recursive: true });
    for (let i = 0; i < photos.length; i++) await this.write(join(f, `photo-${i}.bin`), photos[i]!);
    for (let i = 0; i < previews.length; i++) await this.write(join(f, `preview-${i}.webp`), previews[i]!);
    await this.update(s); // last: a session file means the photos are all there
  }

  async get(id: string): Promise<SearchSession | null> {
    const f = this.folder(id);
    if (!f) return null;
    try {
      const j = JSON.parse(await readFile(join(f, 'session.json'), 'utf8')) as SessionFile;
      return { ...j, createdAt: new Date(j.createdAt), expiresAt: new Date(j.expiresAt) };
    } catch {
      return null;
    }
  }

  async update(s: SearchSession): Promise<void> {
    const f = this.folder(s.id)!;
    const j: SessionFile = { ...s, createdAt: s.createdAt.getTime(), expiresAt: s.expiresAt.getTime() };
    await this.write(join(f, 'session.json'), JSON.stringify(j));
  }

  private async many(id: string, prefix: string, ext: string): Promise<Uint8Array[]> {
    const f = this.folder(id);
    if (!f) return [];
    const names = (await readdir(f).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith(ext)).sort();
    return Promise.all(names.map(async (n) => new Uint8Array(await readFile(join(f, n)))));
  }

  photos = (id: string) => this.many(id, 'photo-', '.bin');
  previews = (id: string) => this.many(id, 'preview-', '.webp');

  async saveResult(id: string, result: JsonValue): Promise<void> {
    const f = this.folder(id);
    if (!f) return;
    await this.write(join(f, 'result.json'), JSON.stringify(result));
  }

  async result(id: string): Promise<JsonValue | null> {
    const f = this.folder(id);
    if (!f) return null;
    try {
      return JSON.parse(await readFile(join(f, 'result.json'), 'utf8')) as JsonValue;
    } catch {
      return null;
    }
  }

  async delete(id: string): Promise<boolean> {
    const f = this.folder(id);
    if (!f) return false;
    const had = (await this.get(id)) !== null;
    await rm(f, { recursive: true, force: true });
    return had;
  }

  async expired(now: Date): Promise<string[]> {
    const ids = await readdir(this.dir).catch(() => [] as string[]);
    const out: string[] = [];
    for (const id of ids) {
      const s = await this.get(id);
      // A folder without a readable session is a crashed upload: gone too.
      if (!s || s.expiresAt.getTime() <= now.getTime()) out.push(id);
    }
    return out;
  }
}
