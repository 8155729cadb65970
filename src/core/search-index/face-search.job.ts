/**
 * The handler of a face-search job. Safe to run again after a restart: it reads the uploaded
 * photos and writes the result file; nothing half-done is left in between. Stages and their
 * progress: detecting (10–40, per photo), searching (45–85), ranking (85–100).
 */
import { VisageError } from '../../domain/error.registry.js';
import { faceSearchScore, fuseProbes, scoreAnchors } from '../../domain/face-search.rules.js';
import { cosineToSimilarity } from '../../domain/similarity.rules.js';
import { encodeTemplate } from '../../domain/template.codec.js';
import { modelKey } from '../../domain/model.info.js';
import type { Job } from '../../ports/job-queue.port.js';
import type { SearchIndexStore } from '../../ports/search-index-store.port.js';
import type { SearchSessionStore } from '../../ports/search-session-store.port.js';
import type { JsonValue } from '../../domain/gallery.rules.js';
import type { FaceService } from '../face.service.js';
import type { JobContext, JobHandler } from '../job-runner.js';
import type { SearchIndexService } from './search-index.service.js';
import { DEMO_FACES, webpDataUrl, type SearchHit, type SearchResult } from './face-search.service.js';

export interface FaceSearchJobDeps {
  sessions: SearchSessionStore;
  store: SearchIndexStore;
  indexes: SearchIndexService;
  faces: Pick<FaceService, 'templatesOfPhoto' | 'embedder'>;
  /** Results per search (default 100). */
  maxResults?: number;
}

export function faceSearchHandler(d: FaceSearchJobDeps): JobHandler {
  return async (job: Job, ctx: JobContext): Promise<JsonValue> => {
    const { searchId } = job.payload as { searchId: string };
    const s = await d.sessions.get(searchId);
    if (!s || s.account !== job.account || !s.index) throw new VisageError('NOT_FOUND', 'The search was deleted or has expired');
    const started = job.startedAt?.getTime() ?? Date.now();
    const queueSeconds = Math.max(0, (started - job.createdAt.getTime()) / 1000);
    const t0 = performance.now();
    await ctx.progress(10, 'detecting');
    const photos = await d.sessions.photos(s.id);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < photos.length; i++) {
      if (ctx.cancelled()) return null;
      const { result } = await d.faces.templatesOfPhoto(photos[i]!, { attributes: [], landmarks68: false, maxFaces: 1, onTooMany: 'largest' });
      vectors.push(result.faces[0]!.embedding!);
      await ctx.progress(10 + (30 * (i + 1)) / photos.length, 'detecting');
    }
    if (vectors.length === 0) throw new VisageError('IMAGE_MISSING', 'The search has no photos left');
    const probe = fuseProbes(vectors);
    await ctx.progress(45, 'searching');
    const indexes = d.indexes.scoped(job.account);
    const g = await indexes.resolve(s.index);
    const cal = d.faces.embedder.calibration;
    const cutoff = s.demo && g.faceCount > DEMO_FACES ? await d.store.nthFaceId(g.id, DEMO_FACES) : null;
    const searched = cutoff === null ? g.faceCount : DEMO_FACES;
    const anchors = scoreAnchors(cal, searched);
    const want = d.maxResults ?? 100;
    const tSearch = performance.now();
    const r = await indexes.deps.galleries.scoped(job.account).identify(
      [g.name],
      { template: encodeTemplate({ modelKey: modelKey(d.faces.embedder), vector: probe }) },
      { limit: cutoff === null ? want : Math.min(1000, want * 5), threshold: cosineToSimilarity(anchors.weak, cal) },
    );
    const searchSeconds = Math.max(1e-6, (performance.now() - tSearch) / 1000);
    if (ctx.cancelled()) return null;
    await ctx.progress(85, 'ranking');
    const matches = (r.probes[0]?.matches ?? []).filter((m) => cutoff === null || m.face.id <= cutoff).slice(0, want);
    const ids = matches.map((m) => m.face.id);
    const [sources, thumbs] = await Promise.all([d.store.sources(ids), d.store.thumbnails(ids)]);
    const items: SearchHit[] = [];
    for (const m of matches) {
      const src = sources.get(m.face.id);
      if (!src) continue;
      const t = thumbs.get(m.face.id);
      items.push({ score: faceSearchScore(m.cosine, anchors), url: src.url, guid: src.guid, group: src.group, faceIndex: src.faceIndex, faceId: m.face.id, index: g.name, thumbnail: t ? webpDataUrl(t) : null });
    }
    items.sort((a, b) => b.score - a.score || a.faceId - b.faceId);
    const result: SearchResult = {
      items,
      maxScore: items[0]?.score ?? 0,
      demo: s.demo,
      searchedFaces: searched,
      tookSeconds: Math.round(performance.now() - t0) / 1000,
      tookSecondsQueue: Math.round(queueSeconds * 1000) / 1000,
      facesPerSecond: Math.round(searched / searchSeconds),
      photos: vectors.length,
    };
    await d.sessions.saveResult(s.id, result as unknown as JsonValue);
    await ctx.progress(99, 'ranking');
    return { items: items.length, maxScore: result.maxScore };
  };
}
