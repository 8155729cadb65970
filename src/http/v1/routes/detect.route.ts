/** POST /v1/detect: every face with box, landmarks, pose and the attributes asked for. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FaceService } from '../../../core/index.js';
import { parseFaceOptions } from '../../../domain/face-options.rules.js';
import { mapDetect } from '../mappers/face.mapper.js';
import { readRequestInput, requireImage } from '../../shared/image-input.js';
import { DetectResponse, FaceOptionsQuery, ImageJsonBody, faceErrorResponses } from '../schemas/face.schemas.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';

export const detectRoute: FastifyPluginAsyncTypebox<{ service: FaceService; maxUploadBytes: number }> = async (app, { service, maxUploadBytes }) => {
  app.post(
    '/detect',
    {
      schema: {
        tags: ['faces'],
        summary: 'Detect faces and estimate attributes',
        description: 'An image without faces answers 200 with an empty `faces` list.',
        consumes: IMAGE_CONSUMES,
        querystring: FaceOptionsQuery,
        body: imageBody(ImageJsonBody),
        ...multipartDoc(),
        response: { 200: DetectResponse, ...faceErrorResponses },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      const image = requireImage(input, { image: 'image', url: 'url' }, maxUploadBytes);
      return mapDetect(await service.detect(image, parseFaceOptions(input.fields)));
    },
  );
};
