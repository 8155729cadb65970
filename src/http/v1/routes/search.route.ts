/** Identification: POST /v1/galleries/{gallery}/search and POST /v1/search (several galleries). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { callerGalleries } from './caller-galleries.js';
import type { GalleryService } from '../../../core/index.js';
import { parseFaceOptions } from '../../../domain/face-options.rules.js';
import { mapSearch } from '../mappers/gallery.mapper.js';
import { readRequestInput, type RequestInput } from '../../shared/image-input.js';
import { GalleryParams, SearchJsonBody, SearchQuery, SearchResponse, galleryErrorResponses } from '../schemas/gallery.schemas.js';
import { facePick, galleryNames, probeFrom } from './gallery-input.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';

const DESCRIPTION =
  'Probe with an image (its largest face, or each face with `faces=all`) or a `template`. Matches below `threshold` ' +
  '(strict, medium (default), low, none, or a similarity 0–1) are left out, so an unknown person gets an empty list; ' +
  '`limit` (1–1000, default 10) caps the matches per face, best first.';

export const searchRoute: FastifyPluginAsyncTypebox<{ galleries: GalleryService; maxUploadBytes: number }> = async (app, { galleries: all, maxUploadBytes }) => {
  const search = (req: FastifyRequest, names: string[], input: RequestInput) =>
    callerGalleries(all, req).identify(names, probeFrom(input, maxUploadBytes), {
      limit: input.fields.limit,
      threshold: input.fields.threshold as string | number | undefined,
      faces: facePick(input.fields.faces),
      faceOptions: parseFaceOptions(input.fields),
    });

  app.post(
    '/galleries/:gallery/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Find a face in a gallery',
        description: DESCRIPTION,
        consumes: IMAGE_CONSUMES,
        params: GalleryParams,
        querystring: SearchQuery,
        body: imageBody(SearchJsonBody),
        ...multipartDoc(),
        response: { 200: SearchResponse, ...galleryErrorResponses },
      },
    },
    async (req) => mapSearch(await search(req, [req.params.gallery], await readRequestInput(req))),
  );

  app.post(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Find a face in several galleries',
        description: `${DESCRIPTION} \`galleries\` names them (an array, or comma-separated).`,
        consumes: IMAGE_CONSUMES,
        querystring: SearchQuery,
        body: imageBody(SearchJsonBody),
        ...multipartDoc(),
        response: { 200: SearchResponse, ...galleryErrorResponses },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      return mapSearch(await search(req, galleryNames(input.fields.galleries), input));
    },
  );
};
