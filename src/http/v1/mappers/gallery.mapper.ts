/** Galleries, stored faces and search results as snake_case JSON. */
import type { BulkItemResult, IdentifyResult, FacePage, Gallery, StoredFace } from '../../../core/index.js';
import type { Point } from '../../../domain/face.model.js';
import { mapBox, mapDropped } from './face.mapper.js';

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
const pt = (p: Point) => ({ x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });

export function mapGallery(g: Gallery) {
  return {
    name: g.name,
    description: g.description,
    model: g.modelKey,
    thumbnails: g.thumbnails,
    face_count: g.faceCount,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
  };
}

/** `gallery` is the name the face was asked for under (a face lives in one gallery). */
export function mapStoredFace(f: StoredFace, gallery: string) {
  const l = f.landmarks;
  return {
    id: f.id,
    gallery,
    client_id: f.clientId,
    meta: f.meta,
    box: f.box ? mapBox(f.box) : null,
    landmarks: l && l.length === 5 ? { left_eye: pt(l[0]!), right_eye: pt(l[1]!), nose: pt(l[2]!), mouth_left: pt(l[3]!), mouth_right: pt(l[4]!) } : null,
    photo_hash: f.photoHash,
    // Only for galleries that keep thumbnails: we keep templates, not photos, unless asked.
    ...(f.hasThumbnail ? { thumbnail_url: `/v1/galleries/${encodeURIComponent(gallery)}/faces/${f.id}/thumbnail` } : {}),
    created_at: f.createdAt.toISOString(),
    updated_at: f.updatedAt.toISOString(),
  };
}

export const mapFacePage = (p: FacePage, gallery: string) => ({ faces: p.faces.map((f) => mapStoredFace(f, gallery)), next_cursor: p.nextCursor });

export function mapBulk(results: BulkItemResult[], gallery: string) {
  return {
    results: results.map((r) =>
      r.ok
        ? { index: r.index, ok: true, client_id: r.clientId, face: mapStoredFace(r.face, gallery) }
        : { index: r.index, ok: false, client_id: r.clientId, error: { code: r.code, reason: r.message, ...(r.param ? { param: r.param } : {}) } },
    ),
  };
}

export function mapSearch(res: IdentifyResult) {
  return {
    model: res.model,
    threshold: r4(res.threshold),
    ...(res.preset ? { preset: res.preset } : {}),
    faces: res.probes.map((p) => ({
      box: p.box ? mapBox(p.box) : null,
      matches: p.matches.map((m) => ({ gallery: m.gallery, similarity: r4(m.similarity), face: mapStoredFace(m.face, m.gallery) })),
    })),
    dropped: mapDropped(res.dropped),
  };
}
