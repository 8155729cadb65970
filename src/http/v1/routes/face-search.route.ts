/**
 * /v1/search-indexes and /v1/face-searches: reverse face search over the caller's search
 * indexes, as durable jobs (docs/api.md "Reverse face search").
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DEFAULT_ACCOUNT, type FaceSearchService, type SearchView } from '../../../core/index.js';
import { VisageError } from '../../../domain/error.registry.js';
import { readRequestInput } from '../../shared/image-input.js';
import {
  CreateSearchIndexBody,
  FaceSearchSchema,
  faceSearchErrors as errs,
  IndexParams,
  IndexPhotoResponse,
  OptOutResponse,
  SearchIndexList,
  SearchIndexSchema,
  SearchParams,
  SearchQuery,
} from '../schemas/face-search.schemas.js';

const scopedOf = (all: FaceSearchService, req: FastifyRequest) => all.scoped(req.principal?.account ?? DEFAULT_ACCOUNT);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function mapSearch(v: SearchView) {
  return {
    id: v.id,
    status: v.state,
    progress: v.progress,
    stage: v.stage,
    position: v.position,
    index: v.index,
    previews: v.previews,
    photo_ids: v.photoIds,
    error: v.error,
    created_at: v.createdAt.toISOString(),
    expires_at: v.expiresAt.toISOString(),
    result: v.result && {
      items: v.result.items.map((h) => ({ score: h.score, url: h.url, guid: h.guid, group: h.group, face_index: h.faceIndex, face_id: h.faceId, index: h.index, thumbnail: h.thumbnail })),
      max_score: v.result.maxScore,
      demo: v.result.demo,
      searched_faces: v.result.searchedFaces,
      took_seconds: v.result.tookSeconds,
      took_seconds_queue: v.result.tookSecondsQueue,
      faces_per_second: v.result.facesPerSecond,
      photos: v.result.photos,
    },
  };
}

async function images(req: FastifyRequest): Promise<{ photos: Uint8Array[]; fields: Record<string, unknown> }> {
  const input = await readRequestInput(req);
  const photos = [...input.files.values()].filter((b) => b.length > 0);
  for (const k of ['image', 'image2', 'image3']) {
    const v = input.fields[k];
    if (typeof v === 'string' && v !== '') photos.push(new Uint8Array(Buffer.from(v.replace(/^data:[^,]*,/, ''), 'base64')));
  }
  return { photos, fields: input.fields };
}

export const faceSearchRoute: FastifyPluginAsync<{ faceSearch: FaceSearchService }> = async (app, { faceSearch: all }) => {
  const tags = ['face search'];
  app.post('/search-indexes', { schema: { tags, summary: 'Create a search index (a gallery of kind search index)', body: CreateSearchIndexBody, response: { 201: SearchIndexSchema, ...errs } } }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const s = scopedOf(all, req).indexes;
    const g = await s.create(b.name, b.description);
    if (b.default === true) await s.setDefault(g.name);
    return reply.status(201).send({ name: g.name, faces: g.faceCount, default: (await s.list()).find((x) => x.id === g.id)?.isDefault ?? false });
  });
  app.get('/search-indexes', { schema: { tags, summary: 'Your search indexes, the default first', response: { 200: SearchIndexList, ...errs } } }, async (req) => ({
    indexes: (await scopedOf(all, req).indexes.list()).map((g) => ({ name: g.name, faces: g.faceCount, default: g.isDefault })),
  }));
  app.post('/search-indexes/:index/photos', { schema: { tags, summary: 'Index the faces of one photo, with its source URL and group', description: 'Multipart or JSON: image (file or base64), source_url, group (optional integer).', params: IndexParams, response: { 200: IndexPhotoResponse, ...errs } } }, async (req) => {
    const { photos, fields } = await images(req);
    if (photos.length !== 1) throw new VisageError('IMAGE_MISSING', 'Send one image', { param: 'image' });
    const url = text(fields.url_source) ?? text(fields.source_url);
    if (!url) throw new VisageError('BAD_PARAM', 'source_url is required', { param: 'source_url' });
    const g = fields.group === undefined ? undefined : Number(fields.group);
    if (g !== undefined && (!Number.isInteger(g) || g < 0 || g > 2_147_483_647)) throw new VisageError('BAD_PARAM', 'group must be a whole number', { param: 'group' });
    const r = await scopedOf(all, req).indexes.addPhoto((req.params as { index: string }).index, { bytes: photos[0]!, url, group: g });
    return { faces: r.faces, opted_out: r.optedOut, already_indexed: r.already };
  });
  app.post('/search-indexes/opt-outs', { schema: { tags, summary: 'Remove a person from every search index and keep them out', description: 'Multipart or JSON: image, reference (optional, e.g. a ticket number).', response: { 200: OptOutResponse, ...errs } } }, async (req) => {
    const { photos, fields } = await images(req);
    if (photos.length !== 1) throw new VisageError('IMAGE_MISSING', 'Send one image of the person', { param: 'image' });
    const r = await scopedOf(all, req).indexes.optOut(photos[0]!, { reference: text(fields.reference), requestId: req.id, keyId: req.principal?.keyId ?? null, ip: req.ip });
    return { removed: r.removed, opt_out_id: r.optOutId };
  });
  app.post('/face-searches', { schema: { tags, summary: 'Upload 1–3 photos of one person: a search id and a preview per photo', description: 'Multipart files, or JSON image/image2/image3 in base64.', response: { 201: FaceSearchSchema, ...errs } } }, async (req, reply) => {
    const { photos } = await images(req);
    return reply.status(201).send(mapSearch(await scopedOf(all, req).upload(photos)));
  });
  app.post('/face-searches/:id/start', { schema: { tags, summary: 'Start the search (one credit)', description: 'Optional JSON body: index (default: the account default), demo (only the first 100,000 faces). 202 when it starts, 200 when it had started already (no credit).', params: SearchParams, response: { 200: FaceSearchSchema, 202: FaceSearchSchema, ...errs } } }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const r = await scopedOf(all, req).start((req.params as { id: string }).id, { index: text(b.index), demo: b.demo === true });
    if (!r.started) req.creditsUsed = 0;
    return reply.status(r.started ? 202 : 200).send(mapSearch(r.view));
  });
  app.get('/face-searches/:id', { schema: { tags, summary: 'A search: status, progress, queue position, results (wait=seconds waits for the end)', params: SearchParams, querystring: SearchQuery, response: { 200: FaceSearchSchema, ...errs } } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const wait = Number((req.query as { wait?: string }).wait ?? 0);
    if (!Number.isFinite(wait) || wait < 0 || wait > 60) throw new VisageError('BAD_PARAM', 'wait must be 0 to 60 seconds', { param: 'wait' });
    const s = scopedOf(all, req);
    return mapSearch(wait > 0 ? await s.wait(id, wait * 1000) : await s.get(id));
  });
  app.post('/face-searches/:id/cancel', { schema: { tags, summary: 'Cancel a queued or running search', params: SearchParams, response: { 200: FaceSearchSchema, ...errs } } }, async (req) => mapSearch(await scopedOf(all, req).cancel((req.params as { id: string }).id)));
  app.delete('/face-searches/:id', { schema: { tags, summary: 'Delete a search now: photos, previews and results', params: SearchParams, response: { 204: Type.Null(), ...errs } } }, async (req, reply) => {
    await scopedOf(all, req).delete((req.params as { id: string }).id);
    return reply.status(204).send();
  });
};
