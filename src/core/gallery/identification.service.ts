/**
 * 1:N identification over one or several galleries of the account. Hits are re-read from the
 * store, which drops any face deleted while the search ran.
 */
import { badParam } from '../../domain/error.registry.js';
import type { Box, DroppedFaces } from '../../domain/face.model.js';
import type { FaceOptions } from '../../domain/face-options.rules.js';
import { validateLimit } from '../../domain/gallery.rules.js';
import { cosineToSimilarity, resolveThreshold, searchThreshold, type ThresholdPreset } from '../../domain/similarity.rules.js';
import { assertSameModel, decodeTemplate } from '../../domain/template.codec.js';
import type { Gallery, StoredFace } from '../../ports/face-store.port.js';
import type { FacePick, GalleryAccess, ProbeFace, ProbeInput } from './gallery-access.js';

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
  /** Probe faces the size and score filters removed (none for a template). */
  dropped: DroppedFaces;
}

export class Identification {
  constructor(private readonly a: GalleryAccess) {}

  async identify(galleryNames: string[], probe: ProbeInput, opts: IdentifyOptions = {}): Promise<IdentifyResult> {
    // Bad options are refused before the galleries are looked up.
    validateLimit(opts.limit);
    resolveThreshold(opts.threshold, this.a.deps.faces.embedder.calibration);
    const names = [...new Set(galleryNames)];
    if (names.length === 0) throw badParam('galleries', 'name at least one gallery');
    const galleries = await Promise.all(names.map((n) => this.a.gallery(n, 'galleries')));
    // Similarities are only meaningful with the calibration of the model that made the vectors.
    for (const g of galleries) this.a.assertServerModel(g, 'galleries');
    return this.search(galleries, probe, opts);
  }

  /**
   * Every face of the account, whatever galleries it is in: one search of the account set's
   * index (one graph, not one per gallery). Matches name the face, not a gallery.
   */
  async identifyAccount(probe: ProbeInput, opts: IdentifyOptions = {}): Promise<IdentifyResult> {
    return this.search([await this.a.serverAccountSet()], probe, opts);
  }

  private async search(galleries: Gallery[], probe: ProbeInput, opts: IdentifyOptions): Promise<IdentifyResult> {
    const cal = this.a.deps.faces.embedder.calibration;
    const limit = validateLimit(opts.limit);
    const asked = resolveThreshold(opts.threshold, cal);
    // A preset holds its false-accept rate per search, whatever the galleries' size.
    const candidates = galleries.reduce((n, g) => n + g.faceCount, 0);
    const t = asked.preset ? { ...asked, threshold: searchThreshold(asked.preset, cal, candidates) } : asked;
    const { faces: probes, dropped } = await this.probeVectors(probe, opts);
    const out: IdentifyResult['probes'] = [];
    for (const p of probes) {
      const matches: IdentifyMatch[] = [];
      for (const g of galleries) {
        const index = await this.a.deps.indexes.current(g);
        const hits = (await index.search(p.vector, limit))
          .map((h) => ({ ...h, similarity: cosineToSimilarity(h.cosine, cal) }))
          .filter((h) => h.similarity >= t.threshold);
        const rows = await this.a.deps.store.getFacesByIds(g.id, hits.map((h) => h.id));
        for (const h of hits) {
          const face = rows.get(h.id);
          if (face) matches.push({ gallery: g.name, face, similarity: h.similarity, cosine: h.cosine });
        }
      }
      matches.sort((a, b) => b.similarity - a.similarity || a.face.id - b.face.id);
      out.push({ box: p.box, matches: matches.slice(0, limit) });
    }
    return { model: this.a.serverModel, threshold: t.threshold, preset: t.preset, probes: out, dropped };
  }

  private async probeVectors(probe: ProbeInput, opts: IdentifyOptions): Promise<{ faces: ProbeFace[]; dropped: DroppedFaces }> {
    if ('template' in probe) {
      const t = decodeTemplate(probe.template);
      assertSameModel(t, this.a.serverModel);
      return { faces: [{ vector: t.vector, box: null }], dropped: { minFaceSize: 0, scoreThreshold: 0 } };
    }
    const pick = opts.faces ?? 'largest';
    const r = await this.a.deps.faces.templates(probe.image, {
      ...opts.faceOptions,
      attributes: [],
      landmarks68: false,
      ...(pick === 'largest' ? { maxFaces: 1, onTooMany: 'largest' } : {}),
    });
    return { faces: r.faces.map((f) => ({ vector: f.embedding!, box: f.box })), dropped: r.dropped };
  }
}
