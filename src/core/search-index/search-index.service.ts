/**
 * Search indexes for one account: galleries of kind "search index" whose faces carry where they
 * were found. Filled only from sources the operator provides (a folder, a JSONL list, the API),
 * never by crawling: building face databases by untargeted scraping of the internet is a
 * prohibited practice in the EU (AI Act, Art. 5(1)(e)). Opt-out removes a person and keeps only
 * their template, so later indexing skips them.
 */
import { createHash } from 'node:crypto';
import { VisageError } from '../../domain/error.registry.js';
import { cosine, presetThreshold } from '../../domain/similarity.rules.js';
import { encodeTemplate } from '../../domain/template.codec.js';
import { modelKey } from '../../domain/model.info.js';
import type { Gallery } from '../../ports/face-store.port.js';
import type { FaceThumbnailer } from '../../ports/image.port.js';
import type { IndexFaceSource, SearchIndexStore } from '../../ports/search-index-store.port.js';
import type { AuditService } from '../audit.service.js';
import type { FaceService } from '../face.service.js';
import type { GalleryService } from '../gallery.service.js';

export interface SearchIndexDeps {
  galleries: GalleryService;
  store: SearchIndexStore;
  faces: Pick<FaceService, 'templatesOfPhoto' | 'embedder'>;
  thumbnailer: FaceThumbnailer;
  audit?: AuditService;
}

export interface IndexPhoto {
  bytes: Uint8Array;
  /** Where the photo was found; the results show it. */
  url: string;
  /** Faces of one source page share a group; default: derived from the URL. */
  group?: number;
}

export interface IndexPhotoResult {
  faces: number;
  /** Faces skipped because they match someone on the opt-out list. */
  optedOut: number;
  /** The photo was indexed already (same URL): nothing was added. */
  already: boolean;
}

/** A stable non-negative 31-bit number from a text (the default group of a source). */
export const stableGroup = (text: string): number => createHash('sha256').update(text).digest().readUInt32BE(0) >>> 1;
/** Stable across re-indexing: the same source URL and face position give the same guid. */
export const stableGuid = (url: string, faceIndex: number): string => createHash('sha256').update(`${url}#${faceIndex}`).digest('base64url').slice(0, 22);

export class SearchIndexService {
  constructor(
    readonly deps: SearchIndexDeps,
    readonly account: string,
  ) {}

  scoped(account: string): SearchIndexService {
    return new SearchIndexService({ ...this.deps, galleries: this.deps.galleries.scoped(account) }, account);
  }

  /** Creates the index (a gallery of kind search index); the account's first is its default. */
  async create(name: unknown, description?: unknown): Promise<Gallery> {
    const g = await this.deps.galleries.createGallery({ name, description: description ?? 'search index' });
    await this.deps.store.markIndex(g.id, this.account);
    return g;
  }

  /** Creates it when missing (the CLI's --index). */
  async ensure(name: string): Promise<Gallery> {
    const found = (await this.deps.galleries.listGalleries()).find((g) => g.name === name);
    if (!found) return this.create(name);
    if (!(await this.deps.store.isIndex(found.id))) throw new VisageError('BAD_PARAM', `Gallery ${name} is not a search index`, { param: 'index' });
    return found;
  }

  async list(): Promise<(Gallery & { isDefault: boolean })[]> {
    const ids = await this.deps.store.indexIds(this.account);
    const all = new Map((await this.deps.galleries.listGalleries()).map((g) => [g.id, g]));
    return ids.filter((i) => all.has(i.galleryId)).map((i) => ({ ...all.get(i.galleryId)!, isDefault: i.isDefault }));
  }

  /** The named index, or the account's default when no name is given. */
  async resolve(name?: string): Promise<Gallery> {
    const list = await this.list();
    const g = name ? list.find((x) => x.name === name) : (list.find((x) => x.isDefault) ?? list[0]);
    if (!g) throw new VisageError('GALLERY_NOT_FOUND', name ? `Search index ${name} does not exist` : 'This account has no search index', { param: 'index' });
    return g;
  }

  async setDefault(name: string): Promise<void> {
    const g = await this.resolve(name);
    await this.deps.store.setDefault(this.account, g.id);
  }

  /** Every face of one photo, largest first; faces on the opt-out list are skipped. Resumable by URL. */
  async addPhoto(indexName: string, photo: IndexPhoto): Promise<IndexPhotoResult> {
    if (typeof photo.url !== 'string' || photo.url === '') throw new VisageError('BAD_PARAM', 'url is required', { param: 'url' });
    const g = await this.resolve(indexName);
    if (await this.deps.store.hasUrl(g.id, photo.url)) return { faces: 0, optedOut: 0, already: true };
    const { result, pixels } = await this.deps.faces.templatesOfPhoto(photo.bytes, { attributes: [], landmarks68: false });
    const area = (i: number) => (result.faces[i]!.box.x2 - result.faces[i]!.box.x1) * (result.faces[i]!.box.y2 - result.faces[i]!.box.y1);
    const order = result.faces.map((_, i) => i).sort((a, b) => area(b) - area(a));
    const optOuts = await this.deps.store.optOuts(this.account, modelKey(this.deps.faces.embedder));
    const strict = this.deps.faces.embedder.calibration.cosineAt.strict;
    const keep = order.filter((i) => !optOuts.some((o) => cosine(o.vector, result.faces[i]!.embedding!) >= strict));
    if (keep.length === 0) return { faces: 0, optedOut: order.length, already: false };
    const thumbs = await this.deps.thumbnailer.thumbnails(pixels, keep.map((i) => result.faces[i]!.box), { format: 'webp', size: 96 });
    const group = photo.group ?? stableGroup(photo.url);
    const items = keep.map((i, n) => ({ template: result.templates[i]!, clientId: stableGuid(photo.url, n), meta: { url: photo.url, group } }));
    const enrolled = await this.deps.galleries.enrolBulk(g.name, items);
    const rows: (IndexFaceSource & { webp: Uint8Array | null })[] = [];
    enrolled.forEach((r, n) => {
      if (!r.ok) return;
      const f = result.faces[keep[n]!]!;
      rows.push({ faceId: r.face.id, url: photo.url, group, guid: items[n]!.clientId, faceIndex: n, box: f.box, webp: thumbs[n] ?? null });
    });
    await this.deps.store.addSources(g.id, rows);
    return { faces: rows.length, optedOut: order.length - keep.length, already: false };
  }

  /**
   * "Remove me": every face of every index of the account at or above the per-comparison
   * `strict` threshold (FAR 1e-5) to the person's photo is deleted; only the person's template
   * is kept, on the opt-out list, so later indexing skips them; an audit record says so.
   */
  async optOut(bytes: Uint8Array, o: { reference?: string; requestId?: string; keyId?: string | null; ip?: string } = {}): Promise<{ removed: number; optOutId: number }> {
    const { result } = await this.deps.faces.templatesOfPhoto(bytes, { attributes: [], landmarks68: false, maxFaces: 1, onTooMany: 'largest' });
    const vector = result.faces[0]!.embedding!;
    const cal = this.deps.faces.embedder.calibration;
    const key = modelKey(this.deps.faces.embedder);
    const entry = await this.deps.store.addOptOut({ account: this.account, modelKey: key, vector, reference: o.reference ?? null });
    let removed = 0;
    for (const g of await this.list()) {
      // Repeated until nothing is left above the threshold (a search answers at most 1000).
      for (;;) {
        const r = await this.deps.galleries.identify([g.name], { template: encodeTemplate({ modelKey: key, vector }) }, { limit: 1000, threshold: presetThreshold('strict', cal) });
        const ids = r.probes[0]?.matches.map((m) => ({ id: m.face.id })) ?? [];
        if (ids.length === 0) break;
        removed += (await this.deps.galleries.deleteFaces(g.name, ids)).filter((x) => x !== null).length;
        if (ids.length < 1000) break;
      }
    }
    await this.deps.audit?.record({
      requestId: o.requestId ?? '',
      account: this.account,
      keyId: o.keyId ?? null,
      ip: o.ip ?? '',
      action: 'search_index.opt_out',
      target: `opt-out/${entry.id}${o.reference ? ` (${o.reference})` : ''} removed ${removed}`,
      status: 200,
    });
    return { removed, optOutId: entry.id };
  }

  /** Faces over all the account's search indexes. */
  async faceCount(): Promise<number> {
    return (await this.list()).reduce((n, g) => n + g.faceCount, 0);
  }
}
