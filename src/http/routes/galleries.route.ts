/** /v1/galleries: create, list, read, rename/update and delete galleries. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GalleryService } from '../../core/gallery.service.js';
import { mapGallery } from '../mappers/gallery.mapper.js';
import { CreateGalleryBody, GalleryParams, GallerySchema, UpdateGalleryBody, galleryErrorResponses } from '../schemas/gallery.schemas.js';
import { Type } from '@sinclair/typebox';

export const galleriesRoute: FastifyPluginAsyncTypebox<{ galleries: GalleryService }> = async (app, { galleries }) => {
  const tags = ['galleries'];

  app.post(
    '/galleries',
    {
      schema: {
        tags,
        summary: 'Create a gallery',
        description: "The gallery holds templates of the server's current model, recorded as `model`.",
        body: CreateGalleryBody,
        response: { 200: GallerySchema, ...galleryErrorResponses },
      },
    },
    async (req) => mapGallery(await galleries.createGallery(req.body)),
  );

  app.get(
    '/galleries',
    { schema: { tags, summary: 'List galleries', response: { 200: Type.Object({ galleries: Type.Array(GallerySchema) }), ...galleryErrorResponses } } },
    async () => ({ galleries: (await galleries.listGalleries()).map(mapGallery) }),
  );

  app.get(
    '/galleries/:gallery',
    { schema: { tags, summary: 'Read a gallery and its face count', params: GalleryParams, response: { 200: GallerySchema, ...galleryErrorResponses } } },
    async (req) => mapGallery(await galleries.getGallery(req.params.gallery)),
  );

  app.patch(
    '/galleries/:gallery',
    {
      schema: {
        tags,
        summary: 'Rename a gallery or change its description',
        params: GalleryParams,
        body: UpdateGalleryBody,
        response: { 200: GallerySchema, ...galleryErrorResponses },
      },
    },
    async (req) => mapGallery(await galleries.updateGallery(req.params.gallery, req.body)),
  );

  app.delete(
    '/galleries/:gallery',
    {
      schema: {
        tags,
        summary: 'Delete a gallery with all its faces',
        description: 'Faces, templates and index files are deleted before the answer.',
        params: GalleryParams,
        response: { 204: Type.Null(), ...galleryErrorResponses },
      },
    },
    async (req, reply) => {
      await galleries.deleteGallery(req.params.gallery);
      return reply.status(204).send(null);
    },
  );
};
