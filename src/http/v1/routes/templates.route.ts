/** POST /v1/templates: a recognition template per face (NO_FACE when there is none). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FaceService } from '../../../core/index.js';
import { parseFaceOptions } from '../../../domain/face-options.rules.js';
import { mapTemplates } from '../mappers/face.mapper.js';
import { readRequestInput, requireImage } from '../../shared/image-input.js';
import { FaceOptionsQuery, ImageJsonBody, TemplatesResponse, faceErrorResponses } from '../schemas/face.schemas.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';

export const templatesRoute: FastifyPluginAsyncTypebox<{ service: FaceService; maxUploadBytes: number }> = async (app, { service, maxUploadBytes }) => {
  app.post(
    '/templates',
    {
      schema: {
        tags: ['faces'],
        summary: 'Make a recognition template for each face',
        description: 'Templates are opaque strings tied to the model (`template_model`); store them and send them to /v1/verify.',
        consumes: IMAGE_CONSUMES,
        querystring: FaceOptionsQuery,
        body: imageBody(ImageJsonBody),
        ...multipartDoc(),
        response: { 200: TemplatesResponse, ...faceErrorResponses },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      const image = requireImage(input, { image: 'image', url: 'url' }, maxUploadBytes);
      return mapTemplates(await service.templates(image, parseFaceOptions(input.fields)));
    },
  );
};
