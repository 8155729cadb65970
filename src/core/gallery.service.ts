/**
 * Gallery use cases: galleries, enrolment (from an image or a template), stored faces, and
 * identification over one or several galleries. Writes to a gallery run one at a time (commit,
 * then the index update, then the answer), so a deleted face is out of the index before the
 * delete is acknowledged; search hits are also re-read from the store, which drops any face
 * deleted while the search ran.
 */
import { createHash } from 'node:crypto';
import { VisageError, badParam } from '../domain/error.registry.js';
import type { Box } from '../domain/face.model.js';
import type { FaceOptions } from '../domain/face-options.rules.js';
import {
  MAX_BULK_ITEMS,
  normalizeClientId,
  validateDescription,
  validateGalleryName,
  validateLimit,
  validateMeta,
  type JsonValue,
} from '../domain/gallery.rules.js';
import { modelKey } from '../domain/model.info.js';
import { cosineToSimilarity, resolveThreshold, searchThreshold, type ThresholdPreset } from '../domain/similarity.rules.js';
import { assertSameModel, decodeTemplate } from '../domain/template.codec.js';
import {
  DEFAULT_ACCOUNT,
  type FacePage,
  type FaceRef,
  type FaceStore,
  type Gallery,
  type ListFacesQuery,
  type NewFace,
  type StoredFace,
} from '../ports/face-store.port.js';
import type { FaceThumbnailer, ImageFetcher } from '../ports/image.port.js';
import type { FaceIndexRegistry } from './face-index.registry.js';
import type { FaceService, ImageInput } from './face.service.js';
import { KeyedMutex } from './keyed-mutex.js';
import { pMapSettled } from './settled-map.js';

/** What enrolment needs from the face service: templates of an image, and the model. */
export type Templater = Pick<FaceService, 'templates' | 'embedder'>;

export type FacePick = 'largest' | 'all';
export type ProbeInput = { image: ImageInput } | { template: string };

export interface EnrolOptions {
  clientId?: unknown;
  meta?: unknown;
  /** For images: the largest face (default) or every face. */
  faces?: FacePick;
  faceOptions?: FaceOptions;
}

/** `resolve` lets an interface defer reading an item's input, so a bad one fails only its item. */
export type BulkItem = (ProbeInput | { resolve: () => ProbeInput }) & { clientId?: unknown; meta?: unknown };

export type BulkItemResult =
  | { index: number; ok: true; clientId: string | null; face: StoredFace }
  | { index: number; ok: false; clientId: string | null; code: string; message: string; param?: string };

export interface IdentifyOptions {
  limit?: unknown;
  threshold?: string | number;
  faces?: FacePick;
  faceOptions?: FaceOptions;
}

export interface IdentifyMatch {
  gallery: string;
  face: StoredFace;
  similarity: number;
  cosine: number;
}

export interface IdentifyResult {
  model: string;
  threshold: number;
  preset?: ThresholdPreset;
  /** One entry per probe face (one for a template), each with its matches best first. */
  probes: { box: Box | null; matches: IdentifyMatch[] }[];
}

export interface GalleryServiceDeps {
  store: FaceStore;
  indexes: FaceIndexRegistry;
  faces: Templater;
  fetcher: ImageFetcher;
  /** Makes thumbnails for galleries that keep them; without it none are kept. */
  thumbnailer?: FaceThumbnailer;
}

interface Prepared {
  faces: NewFace[];
}

export class GalleryService {
  private readonly locks: KeyedMutex<number>;

  constructor(
    private readonly deps: GalleryServiceDeps,
    private readonly account: string = DEFAULT_ACCOUNT,
    locks?: KeyedMutex<number>,
  ) {
    this.locks = locks ?? new KeyedMutex<number>();
  }

  /** The same service acting for another account (shares locks and indexes). */
  scoped(account: string): GalleryService {
    return new GalleryService(this.deps, account, this.locks);
  }

  private get serverModel(): string {
    return modelKey(this.deps.faces.embedder);
  }

  // ---- galleries ----

  async createGallery(input: { name: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> {
    const e = this.deps.faces.embedder;
    return this.deps.store.createGallery({
      account: this.account,
      name: validateGalleryName(input.name),
      description: validateDescription(input.description),
      modelKey: modelKey(e),
      dimensions: e.dim,
      thumbnails: input.thumbnails ?? false,
    });
  }

  listGalleries(): Promise<Gallery[]> {
    return this.deps.store.listGalleries(this.account);
  }

  async getGallery(name: string, param = 'gallery'): Promise<Gallery> {
    const g = await this.deps.store.getGallery(this.account, name);
    if (!g) throw new VisageError('GALLERY_NOT_FOUND', `Gallery ${name} does not exist`, { param, gallery: name });
    return g;
  }

  async updateGallery(name: string, patch: { name?: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> {
    const g = await this.getGallery(name);
    return this.deps.store.updateGallery(g.id, {
      name: patch.name === undefined ? undefined : validateGalleryName(patch.name),
      description: patch.description === undefined ? undefined : validateDescription(patch.description),
      thumbnails: patch.thumbnails,
    });
  }

  /** Deletes the gallery, its faces and its index files. */
  async deleteGallery(name: string): Promise<void> {
    const g = await this.getGallery(name);
    await this.locks.run(g.id, async () => {
      await this.deps.store.deleteGallery(g.id);
      await this.deps.indexes.drop(g.id);
    });
  }

  // ---- enrolment ----

  /** Enrols the largest face (or every face) of an image, or a template. */
  async enrol(galleryName: string, input: ProbeInput, opts: EnrolOptions = {}): Promise<StoredFace[]> {
    const g = await this.getGallery(galleryName);
    const clientId = normalizeClientId(opts.clientId);
    const meta = validateMeta(opts.meta);
    if (clientId !== undefined && opts.faces === 'all') throw badParam('id', 'id names one face; use faces=largest with an id');
    if (clientId !== undefined && (await this.deps.store.getFace(g.id, { clientId }))) throw duplicate(clientId);
    const prepared = await this.prepare(g, input, { clientId, meta }, opts.faces ?? 'largest', opts.faceOptions);
    const results = await this.commit(g, prepared.faces);
    return results.map((r) => {
      if (!r.ok) throw duplicate(r.clientId);
      return r.face;
    });
  }

  /** Up to 1,000 items, one transaction; each item answers for itself and never fails the batch. */
  async enrolBulk(galleryName: string, items: BulkItem[], faceOptions?: FaceOptions): Promise<BulkItemResult[]> {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK_ITEMS) {
      throw badParam('items', `items must hold 1 to ${MAX_BULK_ITEMS} entries`);
    }
    const g = await this.getGallery(galleryName);
    const seen = new Set<string>();
    // Two analyses at a time: the worker pool queues the rest, and one bad image only fails itself.
    const prepared = await pMapSettled(items, 2, async (item, i) => {
      const clientId = normalizeClientId(item.clientId, `items[${i}].id`);
      if (clientId !== undefined) {
        if (seen.has(clientId)) throw duplicate(clientId);
        seen.add(clientId);
      }
      const meta = validateMeta(item.meta, `items[${i}].meta`);
      const probe = 'resolve' in item ? item.resolve() : item;
      return (await this.prepare(g, probe, { clientId, meta }, 'largest', faceOptions)).faces[0]!;
    });
    const ok = prepared.flatMap((p, index) => (p.ok ? [{ index, face: p.value }] : []));
    const committed = ok.length > 0 ? await this.commit(g, ok.map((o) => o.face)) : [];
    const out = new Array<BulkItemResult>(items.length);
    prepared.forEach((p, index) => {
      if (p.ok) return;
      const e = p.error instanceof VisageError ? p.error : new VisageError('INTERNAL');
      const param = typeof e.details.param === 'string' ? e.details.param : undefined;
      out[index] = { index, ok: false, clientId: safeClientId(items[index]?.clientId), code: e.code, message: e.message, param };
    });
    committed.forEach((r, j) => {
      const index = ok[j]!.index;
      out[index] = r.ok
        ? { index, ok: true, clientId: r.face.clientId, face: r.face }
        : { index, ok: false, clientId: r.clientId, code: 'DUPLICATE_ID', message: duplicate(r.clientId).message, param: 'id' };
    });
    return out;
  }

  /** Turns an enrolment input into faces to store; throws the input's own error. */
  private async prepare(
    g: Gallery,
    input: ProbeInput,
    common: { clientId?: string; meta?: JsonValue },
    pick: FacePick,
    faceOptions: FaceOptions = {},
  ): Promise<Prepared> {
    const base = { ...(common.clientId !== undefined ? { clientId: common.clientId } : {}), ...(common.meta !== undefined ? { meta: common.meta } : {}) };
    if ('template' in input) {
      const t = decodeTemplate(input.template);
      assertSameModel(t, g.modelKey);
      if (t.vector.length !== g.dimensions) throw new VisageError('TEMPLATE_INVALID', 'The template has the wrong length', { param: 'template' });
      return { faces: [{ ...base, vector: t.vector }] };
    }
    this.assertServerModel(g, 'image');
    const bytes = 'bytes' in input.image ? input.image.bytes : await this.deps.fetcher.fetch(input.image.url);
    const photoHash = createHash('sha256').update(bytes).digest('hex');
    const r = await this.deps.faces.templates(
      { bytes },
      { ...faceOptions, attributes: [], landmarks68: false, ...(pick === 'largest' ? { maxFaces: 1, onTooMany: 'largest' } : {}) },
    );
    const thumbnailer = g.thumbnails ? this.deps.thumbnailer : undefined;
    const thumbnails = thumbnailer ? await thumbnailer.thumbnails(bytes, r.faces.map((f) => f.box)) : [];
    return {
      faces: r.faces.map((f, i) => {
        if (!f.embedding) throw new Error('analyzer returned a face without an embedding');
        const thumbnail = thumbnails[i];
        return { ...base, box: f.box, landmarks: [...f.landmarks5], photoHash, vector: f.embedding, ...(thumbnail ? { thumbnail } : {}) };
      }),
    };
  }

  /** Commit, then index, under the gallery's lock: what is acknowledged is searchable. */
  private commit(g: Gallery, faces: NewFace[]) {
    return this.locks.run(g.id, async () => {
      const index = await this.deps.indexes.get(g);
      const { results, seq } = await this.deps.store.addFaces(g.id, faces);
      const rows = results.flatMap((r, i) => (r.ok ? [{ id: r.face.id, vector: faces[i]!.vector }] : []));
      if (rows.length > 0) this.deps.indexes.applyAdded(g.id, index, rows, seq);
      return results;
    });
  }

  private assertServerModel(g: Gallery, param: string): void {
    if (g.modelKey !== this.serverModel) {
      throw new VisageError('TEMPLATE_MODEL_MISMATCH', `Gallery ${g.name} holds templates of ${g.modelKey}; this server uses ${this.serverModel}`, {
        param,
        galleryModel: g.modelKey,
        serverModel: this.serverModel,
      });
    }
  }

  // ---- stored faces ----

  async getFace(galleryName: string, ref: FaceRef): Promise<StoredFace> {
    const g = await this.getGallery(galleryName);
    const f = await this.deps.store.getFace(g.id, ref);
    if (!f) throw faceNotFound(ref);
    return f;
  }

  /** The thumbnail JPEG of a face in a gallery that keeps them; FACE_NOT_FOUND otherwise. */
  async faceThumbnail(galleryName: string, ref: FaceRef): Promise<Uint8Array> {
    const g = await this.getGallery(galleryName);
    const jpeg = await this.deps.store.getThumbnail(g.id, ref);
    if (!jpeg) throw faceNotFound(ref, 'has no thumbnail');
    return jpeg;
  }

  async listFaces(galleryName: string, query: Omit<ListFacesQuery, 'limit'> & { limit?: unknown }): Promise<FacePage> {
    const g = await this.getGallery(galleryName);
    const limit = validateLimit(query.limit, 'limit', 1000, 100);
    return this.deps.store.listFaces(g.id, { ...query, limit });
  }

  async updateFaceMeta(galleryName: string, ref: FaceRef, meta: unknown): Promise<StoredFace> {
    const g = await this.getGallery(galleryName);
    const m = validateMeta(meta) ?? null;
    // Under the gallery lock too, so it is ordered with deletes: no update resurrects a row.
    const f = await this.locks.run(g.id, () => this.deps.store.updateFaceMeta(g.id, ref, m));
    if (!f) throw faceNotFound(ref);
    return f;
  }

  async deleteFace(galleryName: string, ref: FaceRef): Promise<void> {
    const [id] = await this.deleteFaces(galleryName, [ref]);
    if (id === null) throw faceNotFound(ref);
  }

  /** Per ref, the internal id deleted or null when there was no such face. */
  async deleteFaces(galleryName: string, refs: FaceRef[]): Promise<(number | null)[]> {
    if (refs.length > MAX_BULK_ITEMS) throw badParam('ids', `at most ${MAX_BULK_ITEMS} ids at a time`);
    const g = await this.getGallery(galleryName);
    return this.locks.run(g.id, async () => {
      const index = await this.deps.indexes.get(g);
      const { deleted, seq } = await this.deps.store.deleteFaces(g.id, refs);
      const ids = deleted.filter((d): d is number => d !== null);
      if (ids.length > 0) this.deps.indexes.applyRemoved(g.id, index, ids, seq);
      return deleted;
    });
  }

  // ---- identification ----

  async identify(galleryNames: string[], probe: ProbeInput, opts: IdentifyOptions = {}): Promise<IdentifyResult> {
    const cal = this.deps.faces.embedder.calibration;
    const limit = validateLimit(opts.limit);
    const asked = resolveThreshold(opts.threshold, cal);
    const names = [...new Set(galleryNames)];
    if (names.length === 0) throw badParam('galleries', 'name at least one gallery');
    const galleries = await Promise.all(names.map((n) => this.getGallery(n, 'galleries')));
    // Similarities are only meaningful with the calibration of the model that made the vectors.
    for (const g of galleries) this.assertServerModel(g, 'galleries');
    // A preset holds its false-accept rate per search, whatever the galleries' size.
    const candidates = galleries.reduce((n, g) => n + g.faceCount, 0);
    const t = asked.preset ? { ...asked, threshold: searchThreshold(asked.preset, cal, candidates) } : asked;
    const probes = await this.probeVectors(probe, opts);
    const out: IdentifyResult['probes'] = [];
    for (const p of probes) {
      const matches: IdentifyMatch[] = [];
      for (const g of galleries) {
        const index = await this.deps.indexes.get(g);
        const hits = index
          .search(p.vector, limit)
          .map((h) => ({ ...h, similarity: cosineToSimilarity(h.cosine, cal) }))
          .filter((h) => h.similarity >= t.threshold);
        const rows = await this.deps.store.getFacesByIds(g.id, hits.map((h) => h.id));
        for (const h of hits) {
          const face = rows.get(h.id);
          if (face) matches.push({ gallery: g.name, face, similarity: h.similarity, cosine: h.cosine });
        }
      }
      matches.sort((a, b) => b.similarity - a.similarity || a.face.id - b.face.id);
      out.push({ box: p.box, matches: matches.slice(0, limit) });
    }
    return { model: this.serverModel, threshold: t.threshold, preset: t.preset, probes: out };
  }

  private async probeVectors(probe: ProbeInput, opts: IdentifyOptions): Promise<{ vector: Float32Array; box: Box | null }[]> {
    if ('template' in probe) {
      const t = decodeTemplate(probe.template);
      assertSameModel(t, this.serverModel);
      return [{ vector: t.vector, box: null }];
    }
    const pick = opts.faces ?? 'largest';
    const r = await this.deps.faces.templates(probe.image, {
      ...opts.faceOptions,
      attributes: [],
      landmarks68: false,
      ...(pick === 'largest' ? { maxFaces: 1, onTooMany: 'largest' } : {}),
    });
    return r.faces.map((f) => ({ vector: f.embedding!, box: f.box }));
  }
}

const duplicate = (clientId: string) => new VisageError('DUPLICATE_ID', `A face with id ${clientId} already exists in the gallery`, { param: 'id' });

function faceNotFound(ref: FaceRef, why = 'does not exist in this gallery'): VisageError {
  const id = 'id' in ref ? String(ref.id) : ref.clientId;
  return new VisageError('FACE_NOT_FOUND', `Face ${id} ${why}`, { param: 'id' });
}

function safeClientId(id: unknown): string | null {
  try {
    return normalizeClientId(id) ?? null;
  } catch {
    return null;
  }
}
