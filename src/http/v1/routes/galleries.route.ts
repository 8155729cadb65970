/** /v1/galleries: create, list, read, rename/update and delete galleries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerGalleries } from './caller-galleries.js';
import type { GalleryService } from '../../../core/index.js';
import { mapGallery } from '../mappers/gallery.mapper.js';
import { CreateGalleryBody, GalleryParams, GallerySchema, UpdateGalleryBody, galleryReadErrorResponses, galleryWriteErrorResponses } from '../schemas/gallery.schemas.js';
import { Type } from '@sinclair/typebox';

export const galleriesRoute: FastifyPluginAsyncTypebox<{ galleries: GalleryService }> = async (app, { galleries: all }) => {
  const tags = ['galleries'];

  app.post(
    '/galleries',
    {
      schema: {
        tags,
        summary: 'Create a gallery',
        description: "The gallery holds templates of the server's current model, recorded as `model`.",
        body: CreateGalleryBody,
        response: { 200: GallerySchema, ...galleryWriteErrorResponses },
      },
    },
    async (req) => mapGallery(await callerGalleries(all, req).createGallery(req.body)),
  );

  app.get(
    '/galleries',
    { schema: { tags, summary: 'List galleries', response: { 200: Type.Object({ galleries: Type.Array(GallerySchema) }), ...galleryReadErrorResponses } } },
    async (req) => ({ galleries: (await callerGalleries(all, req).listGalleries()).map(mapGallery) }),
  );

  app.get(
    '/galleries/:gallery',
    { schema: { tags, summary: 'Read a gallery and its face count', params: GalleryParams, response: { 200: GallerySchema, ...galleryReadErrorResponses } } },
    async (req) => mapGallery(await callerGalleries(all, req).getGallery(req.params.gallery)),
  );

  app.patch(
    '/galleries/:gallery',
    {
      schema: {
        tags,
        summary: 'Rename a gallery or change its description',
        params: GalleryParams,
        body: UpdateGalleryBody,
        response: { 200: GallerySchema, ...galleryWriteErrorResponses },
      },
    },
    async (req) => mapGallery(await callerGalleries(all, req).updateGallery(req.params.gallery, req.body)),
  );

  app.delete(
    '/galleries/:gallery',
    {
      schema: {
        tags,
        summary: 'Delete a gallery with all its faces',
        description: 'Faces, templates and index files are deleted before the answer.',
        params: GalleryParams,
        response: { 204: Type.Null(), ...galleryReadErrorResponses },
      },
    },
    async (req, reply) => {
      await callerGalleries(all, req).deleteGallery(req.params.gallery);
      return reply.status(204).send(null);
    },
  );
};
