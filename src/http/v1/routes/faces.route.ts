/** /v1/galleries/{gallery}/faces: enrol (one, bulk), list, read, update meta and delete faces. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerGalleries } from './caller-galleries.js';
import { Type } from '@sinclair/typebox';
import type { BulkItem, GalleryService } from '../../../core/index.js';
import { badParam } from '../../../domain/error.registry.js';
import { parseFaceOptions } from '../../../domain/face-options.rules.js';
import { validateMetaPath } from '../../../domain/gallery.rules.js';
import { mapBulk, mapFacePage, mapStoredFace } from '../mappers/gallery.mapper.js';
import { readRequestInput } from '../../shared/image-input.js';
import {
  BulkBody,
  BulkResponse,
  DeleteManyBody,
  DeleteManyResponse,
  EnrolJsonBody,
  EnrolQuery,
  FaceParams,
  FacePageResponse,
  FacesResponse,
  GalleryParams,
  IdTypeQuery,
  ListFacesQuery,
  StoredFaceSchema,
  UpdateFaceBody,
  galleryErrorResponses,
  galleryReadErrorResponses,
  galleryWriteErrorResponses,
} from '../schemas/gallery.schemas.js';
import { faceRef, facePick, probeFrom } from './gallery-input.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';

/** Bulk bodies carry up to 1,000 items; send images in smaller batches than that. */
const BULK_BODY_LIMIT = 64 * 1024 * 1024;

export const facesRoute: FastifyPluginAsyncTypebox<{ galleries: GalleryService; maxUploadBytes: number }> = async (app, { galleries: all, maxUploadBytes }) => {
  const tags = ['galleries'];

  app.post(
    '/galleries/:gallery/faces',
    {
      schema: {
        tags,
        summary: 'Enrol a face from an image or a template',
        description:
          'An image (multipart `image`, base64 `image` or `url`) enrols its largest face, or every face with `faces=all`; ' +
          'a `template` enrols as is. `id` is your own id (unique in the gallery); `meta` any JSON value (text in multipart).',
        consumes: IMAGE_CONSUMES,
        params: GalleryParams,
        querystring: EnrolQuery,
        body: imageBody(EnrolJsonBody),
        ...multipartDoc(),
        response: { 200: FacesResponse, ...galleryErrorResponses },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      const f = input.fields;
      const faces = await callerGalleries(all, req).enrol(req.params.gallery, probeFrom(input, maxUploadBytes), {
        clientId: f.id,
        meta: f.meta,
        faces: facePick(f.faces),
        faceOptions: parseFaceOptions(f),
      });
      return { faces: faces.map((f) => mapStoredFace(f, req.params.gallery)) };
    },
  );

  app.post(
    '/galleries/:gallery/faces/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Enrol up to 1,000 faces in one transaction',
        description: 'Each item is an image (its largest face) or a template; each answers for itself, and a bad item never fails the batch. With fewer credits left than items, the good items the credits cover are enrolled (in order) and the others answer INSUFFICIENT_CREDITS.',
        params: GalleryParams,
        body: BulkBody,
        response: { 200: BulkResponse, ...galleryErrorResponses },
      },
    },
    async (req) => {
      const items: BulkItem[] = req.body.items.map((it) => ({
        clientId: it.id,
        meta: it.meta,
        // Read inside the item's own try: an unreadable image fails its item, not the batch.
        resolve: () => probeFrom({ files: new Map(), fields: { image: it.image, url: it.url, template: it.template } }, maxUploadBytes),
      }));
      // With fewer credits than items, the good items they cover are enrolled; the rest are refused one by one.
      const results = await callerGalleries(all, req).enrolBulk(req.params.gallery, items, { budget: req.creditsGranted ?? undefined });
      req.creditsUsed = results.filter((r) => r.ok).length; // a failed item costs nothing
      return mapBulk(results, req.params.gallery);
    },
  );

  app.get(
    '/galleries/:gallery/faces',
    {
      schema: {
        tags,
        summary: 'List faces, newest first',
        description: 'Page with `cursor` (the previous `next_cursor`) or `offset`; filter by `meta` text, `meta_field`=`meta_value`, or an id range.',
        params: GalleryParams,
        querystring: ListFacesQuery,
        response: { 200: FacePageResponse, ...galleryReadErrorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      if ((q.meta_field === undefined) !== (q.meta_value === undefined)) throw badParam('meta_field', 'meta_field and meta_value go together');
      const page = await callerGalleries(all, req).listFaces(req.params.gallery, {
        limit: q.limit,
        cursor: q.cursor,
        offset: q.offset,
        metaContains: q.meta,
        metaField: q.meta_field !== undefined ? { path: validateMetaPath(q.meta_field), value: q.meta_value! } : undefined,
        idFrom: q.id_from,
        idTo: q.id_to,
      });
      return mapFacePage(page, req.params.gallery);
    },
  );

  app.get(
    '/galleries/:gallery/faces/:id',
    {
      schema: { tags, summary: 'Read a face', params: FaceParams, querystring: IdTypeQuery, response: { 200: StoredFaceSchema, ...galleryReadErrorResponses } },
    },
    async (req) => mapStoredFace(await callerGalleries(all, req).getFace(req.params.gallery, faceRef(req.params.id, req.query.id_type)), req.params.gallery),
  );

  app.get(
    '/galleries/:gallery/faces/:id/thumbnail',
    {
      schema: {
        tags,
        summary: "A face's thumbnail (JPEG)",
        description: 'Only for galleries created with `thumbnails: true`; otherwise, or for a face enrolled from a template, FACE_NOT_FOUND.',
        params: FaceParams,
        querystring: IdTypeQuery,
        response: {
          200: { description: 'The face, 160 px, as a JPEG', content: { 'image/jpeg': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          ...galleryReadErrorResponses,
        },
      },
    },
    async (req, reply) => {
      const jpeg = await callerGalleries(all, req).faceThumbnail(req.params.gallery, faceRef(req.params.id, req.query.id_type));
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
    },
  );

  app.patch(
    '/galleries/:gallery/faces/:id',
    {
      schema: {
        tags,
        summary: "Replace a face's meta",
        params: FaceParams,
        querystring: IdTypeQuery,
        body: UpdateFaceBody,
        response: { 200: StoredFaceSchema, ...galleryWriteErrorResponses },
      },
    },
    async (req) =>
      mapStoredFace(await callerGalleries(all, req).updateFaceMeta(req.params.gallery, faceRef(req.params.id, req.query.id_type), req.body.meta ?? null), req.params.gallery),
  );

  app.delete(
    '/galleries/:gallery/faces/:id',
    {
      schema: {
        tags,
        summary: 'Delete a face',
        description: 'Gone from the database and the search index before the answer.',
        params: FaceParams,
        querystring: IdTypeQuery,
        response: { 204: Type.Null(), ...galleryReadErrorResponses },
      },
    },
    async (req, reply) => {
      await callerGalleries(all, req).deleteFace(req.params.gallery, faceRef(req.params.id, req.query.id_type));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/galleries/:gallery/faces/delete',
    {
      schema: {
        tags,
        summary: 'Delete up to 1,000 faces by id',
        params: GalleryParams,
        body: DeleteManyBody,
        response: { 200: DeleteManyResponse, ...galleryWriteErrorResponses },
      },
    },
    async (req) => {
      const refs = req.body.ids.map((id, i) => faceRef(id, req.body.id_type, `ids[${i}]`));
      const deleted = await callerGalleries(all, req).deleteFaces(req.params.gallery, refs);
      return {
        results: req.body.ids.map((id, i) => ({ id, deleted: deleted[i] !== null, face_id: deleted[i] ?? null })),
        deleted_count: deleted.filter((d) => d !== null).length,
      };
    },
  );
};
