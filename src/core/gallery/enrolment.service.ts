/**
 * Enrolment: the largest face (or every face) of a photo, or a template, into a gallery. A photo
 * is fetched once and decoded once (templates and thumbnails come from the same pixels); each
 * write is committed, then indexed, under the gallery's lock, so what is acknowledged is
 * searchable.
 */
import { createHash } from 'node:crypto';
import { VisageError, badParam } from '../../domain/error.registry.js';
import type { FaceOptions } from '../../domain/face-options.rules.js';
import { MAX_BULK_ITEMS, normalizeClientId, validateMeta, type JsonValue } from '../../domain/gallery.rules.js';
import { assertSameModel, decodeTemplate } from '../../domain/template.codec.js';
import type { Gallery, NewFace, StoredFace } from '../../ports/face-store.port.js';
import { pMapSettled } from '../settled-map.js';
import { duplicate, type FacePick, type GalleryAccess, type ProbeInput } from './gallery-access.js';

export interface EnrolOptions {
  clientId?: unknown;
  meta?: unknown;
  /** For images: the largest face (default) or every face. */
  faces?: FacePick;
  faceOptions?: FaceOptions;
  /**
   * How many faces may be enrolled (the credits reserved, for faces 'all'): a photo with more
   * enrols none and fails with INSUFFICIENT_CREDITS. Undefined: no limit.
   */
  budget?: number;
}

/** `resolve` lets an interface defer reading an item's input, so a bad one fails only its item. */
export type BulkItem = (ProbeInput | { resolve: () => ProbeInput }) & { clientId?: unknown; meta?: unknown };

export type BulkItemResult =
  | { index: number; ok: true; clientId: string | null; face: StoredFace }
  | { index: number; ok: false; clientId: string | null; code: string; message: string; param?: string };

export interface BulkOptions {
  faceOptions?: FaceOptions;
  /**
   * How many items may still be enrolled (the credits left); good items past it fail alone
   * with INSUFFICIENT_CREDITS. Undefined: no limit.
   */
  budget?: number;
}

export class Enrolment {
  constructor(private readonly a: GalleryAccess) {}

  async enrol(galleryName: string, input: ProbeInput, opts: EnrolOptions = {}): Promise<StoredFace[]> {
    const g = await this.a.gallery(galleryName);
    const clientId = normalizeClientId(opts.clientId);
    const meta = validateMeta(opts.meta);
    if (clientId !== undefined && opts.faces === 'all') throw badParam('id', 'id names one face; use faces=largest with an id');
    if (clientId !== undefined && (await this.a.deps.store.getFace(g.id, { clientId }))) throw duplicate(clientId);
    const faces = await this.prepare(g, input, { clientId, meta }, opts.faces ?? 'largest', opts.faceOptions);
    if (opts.budget !== undefined && faces.length > opts.budget) {
      throw new VisageError('INSUFFICIENT_CREDITS', `The photo holds ${faces.length} faces; the credits left cover ${opts.budget}`, { needed: faces.length, available: opts.budget });
    }
    const results = await this.commit(g, faces);
    return results.map((r) => {
      if (!r.ok) throw duplicate(r.clientId);
      return r.face;
    });
  }

  /** Up to 1,000 items, one transaction; each item answers for itself and never fails the batch. */
  async enrolBulk(galleryName: string, items: BulkItem[], opts: BulkOptions = {}): Promise<BulkItemResult[]> {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK_ITEMS) {
      throw badParam('items', `items must hold 1 to ${MAX_BULK_ITEMS} entries`);
    }
    const g = await this.a.gallery(galleryName);
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
      return (await this.prepare(g, probe, { clientId, meta }, 'largest', opts.faceOptions))[0]!;
    });
    // Good items in order until the budget is spent; the rest are refused one by one.
    let budget = opts.budget ?? Infinity;
    const out = new Array<BulkItemResult>(items.length);
    const ok: { index: number; face: NewFace }[] = [];
    prepared.forEach((p, index) => {
      if (p.ok && budget > 0) {
        budget--;
        ok.push({ index, face: p.value });
        return;
      }
      const e = !p.ok ? (p.error instanceof VisageError ? p.error : new VisageError('INTERNAL')) : new VisageError('INSUFFICIENT_CREDITS', 'The credits left did not cover this item');
      const param = typeof e.details.param === 'string' ? e.details.param : undefined;
      out[index] = { index, ok: false, clientId: safeClientId(items[index]?.clientId), code: e.code, message: e.message, param };
    });
    const committed = ok.length > 0 ? await this.commit(g, ok.map((o) => o.face)) : [];
    committed.forEach((r, j) => {
      const index = ok[j]!.index;
      out[index] = r.ok
        ? { index, ok: true, clientId: r.face.clientId, face: r.face }
        : { index, ok: false, clientId: r.clientId, code: 'DUPLICATE_ID', message: duplicate(r.clientId).message, param: 'id' };
    });
    return out;
  }

  /** Turns an enrolment input into faces to store; throws the input's own error. */
  private async prepare(g: Gallery, input: ProbeInput, common: { clientId?: string; meta?: JsonValue }, pick: FacePick, faceOptions: FaceOptions = {}): Promise<NewFace[]> {
    const base = { ...(common.clientId !== undefined ? { clientId: common.clientId } : {}), ...(common.meta !== undefined ? { meta: common.meta } : {}) };
    if ('template' in input) {
      const t = decodeTemplate(input.template);
      assertSameModel(t, g.modelKey);
      if (t.vector.length !== g.dimensions) throw new VisageError('TEMPLATE_INVALID', 'The template has the wrong length', { param: 'template' });
      return [{ ...base, vector: t.vector }];
    }
    this.a.assertServerModel(g, 'image');
    const faces = this.a.deps.faces;
    const bytes = await faces.bytesOf(input.image);
    const photoHash = createHash('sha256').update(bytes).digest('hex');
    const { result, pixels } = await faces.templatesOfPhoto(bytes, {
      ...faceOptions,
      attributes: [],
      landmarks68: false,
      ...(pick === 'largest' ? { maxFaces: 1, onTooMany: 'largest' } : {}),
    });
    const thumbnailer = g.thumbnails ? this.a.deps.thumbnailer : undefined;
    const thumbnails = thumbnailer ? await thumbnailer.thumbnails(pixels, result.faces.map((f) => f.box)) : [];
    return result.faces.map((f, i) => {
      if (!f.embedding) throw new Error('analyzer returned a face without an embedding');
      const thumbnail = thumbnails[i];
      return { ...base, box: f.box, landmarks: [...f.landmarks5], photoHash, vector: f.embedding, ...(thumbnail ? { thumbnail } : {}) };
    });
  }

  /** Commit, then index, under the gallery's lock: what is acknowledged is searchable. */
  private async commit(g: Gallery, faces: NewFace[]) {
    const { indexes, store } = this.a.deps;
    // The face also enters the account set (the whole-account index): both under their locks.
    const set = await this.a.accountSetOf(g);
    return this.a.withLocks([g, set], async () => {
      const index = await indexes.get(g);
      const setIndex = await indexes.get(set);
      const { results, marks } = await store.addFaces(g.id, faces);
      const rows = results.flatMap((r, i) => (r.ok ? [{ id: r.face.id, vector: faces[i]!.vector }] : []));
      for (const m of marks) {
        if (m.galleryId === g.id) await indexes.applyAdded(g, index, rows, m.seq);
        else if (m.galleryId === set.id) await indexes.applyAdded(set, setIndex, rows, m.seq);
      }
      return results;
    });
  }
}

function safeClientId(id: unknown): string | null {
  try {
    return normalizeClientId(id) ?? null;
  } catch {
    return null;
  }
}
