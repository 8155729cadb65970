/**
 * Collections (Visage galleries of the key's account): add images, delete one, search by
 * faceData or by photo, and read a background add's progress and per-image results.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { GalleryService, JobService } from '../../../core/index.js';
import { VisageError } from '../../../domain/error.registry.js';
import { addItems, image, jsonObject, searchOptions, text } from '../facematch.input.js';
import { mapAddDone, mapImportStatus, mapMatch } from '../facematch.mapper.js';
import { callerGalleries, callerImports } from './caller.js';

/** Adds of up to this many images are enrolled before the answer; larger ones by a durable job. */
export const SYNC_ADD_LIMIT = 10;
/** An add body may hold this much JSON (about 1,000 photos of 45 KB as base64). */
export const ADD_BODY_LIMIT = 64 * 1024 * 1024;

const CollectionParams = Type.Object({ collectionId: Type.String({ minLength: 1, maxLength: 200 }) });
const JobParams = Type.Object({ collectionId: Type.String({ minLength: 1, maxLength: 200 }), jobId: Type.String({ minLength: 1, maxLength: 100 }) });
const hide = { hide: true } as const;

export const collectionRoutes: FastifyPluginAsync<{ galleries: GalleryService; jobs?: JobService; maxUploadBytes: number }> = async (app, o) => {
  const jobs = () => {
    if (!o.jobs) throw new VisageError('INTERNAL', 'background jobs are not configured');
    return o.jobs;
  };

  app.post<{ Params: { collectionId: string } }>('/collection/:collectionId/add', { bodyLimit: ADD_BODY_LIMIT, schema: { ...hide, params: CollectionParams } }, async (req, reply) => {
    const items = addItems(req, o.maxUploadBytes);
    const out = await callerImports(o.galleries, jobs(), req).add(req.params.collectionId, items, { syncUpTo: SYNC_ADD_LIMIT });
    if (out.mode === 'accepted') {
      return mapImportStatus(out.job, `${req.url.split('?')[0]}/${out.job.jobId}`);
    }
    const body = mapAddDone(out.items);
    req.creditsUsed = body.enrolled; // failed images are refunded
    if (body.enrolled === 0) {
      const first = body.items.find((i) => i.status === 'failed') as { message?: string } | undefined;
      return reply.status(422).send({ error: 'UNPROCESSABLE ENTITY', message: `No image was added: ${first?.message ?? 'every image failed'}`, items: body.items });
    }
    return body;
  });

  app.get<{ Params: { collectionId: string; jobId: string } }>('/collection/:collectionId/add/:jobId', { schema: { ...hide, params: JobParams } }, async (req) => {
    const s = await callerImports(o.galleries, jobs(), req).status(req.params.jobId, req.params.collectionId);
    return mapImportStatus(s, req.url.split('?')[0]!);
  });

  app.get<{ Params: { jobId: string } }>('/jobs/:jobId', { schema: { ...hide, params: Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 100 }) }) } }, async (req) => {
    const s = await callerImports(o.galleries, jobs(), req).status(req.params.jobId);
    return mapImportStatus(s, req.url.split('?')[0]!);
  });

  app.delete<{ Params: { collectionId: string } }>('/collection/:collectionId/delete', { schema: { ...hide, params: CollectionParams } }, async (req) => {
    const id = text(jsonObject(req), 'id');
    await callerGalleries(o.galleries, req).deleteFace(req.params.collectionId, { clientId: id });
    return { id, deleted: true };
  });

  app.post<{ Params: { collectionId: string } }>('/collection/:collectionId/search/face-data', { schema: { ...hide, params: CollectionParams } }, async (req) => {
    const body = jsonObject(req);
    const r = await callerGalleries(o.galleries, req).identify([req.params.collectionId], { template: text(body, 'faceData') }, searchOptions(body));
    return { matches: (r.probes[0]?.matches ?? []).map(mapMatch) };
  });

  app.post<{ Params: { collectionId: string } }>('/collection/:collectionId/search/image', { schema: { ...hide, params: CollectionParams } }, async (req) => {
    const body = jsonObject(req);
    const r = await callerGalleries(o.galleries, req).identify([req.params.collectionId], { image: image(body, 'image', o.maxUploadBytes) }, searchOptions(body));
    return { matches: (r.probes[0]?.matches ?? []).map(mapMatch) };
  });
};
