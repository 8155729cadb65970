/** POST /v1/verify: are two faces the same person? Each side is an image (largest face) or a template. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FaceService, VerifySide } from '../../../core/index.js';
import { VisageError, badParam } from '../../../domain/error.registry.js';
import { parseFaceOptions } from '../../../domain/face-options.rules.js';
import { mapVerify } from '../mappers/face.mapper.js';
import { pickImage, readRequestInput, type RequestInput } from '../../shared/image-input.js';
import { VerifyJsonBody, VerifyQuery, VerifyResponse, faceErrorResponses } from '../schemas/face.schemas.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';

function side(input: RequestInput, s: 'a' | 'b', maxBytes: number): VerifySide {
  const template = input.fields[`template_${s}`];
  const image = pickImage(input, { image: `image_${s}`, url: `url_${s}` }, maxBytes);
  if (template !== undefined && template !== '') {
    if (image) throw badParam(`template_${s}`, `Give either image_${s}/url_${s} or template_${s}, not both`);
    if (typeof template !== 'string') throw badParam(`template_${s}`, `template_${s} must be a string`);
    return { template, param: `template_${s}` };
  }
  if (!image) throw new VisageError('IMAGE_MISSING', `Side ${s} needs image_${s}, url_${s} or template_${s}`, { param: `image_${s}` });
  return { image, param: 'url' in image ? `url_${s}` : `image_${s}` };
}

export const verifyRoute: FastifyPluginAsyncTypebox<{ service: FaceService; maxUploadBytes: number }> = async (app, { service, maxUploadBytes }) => {
  app.post(
    '/verify',
    {
      schema: {
        tags: ['faces'],
        summary: 'Compare two faces',
        description:
          'Sides: `image_a`/`image_b` (multipart files or base64), `url_a`/`url_b`, or `template_a`/`template_b`, in any mix. ' +
          'An image side uses its largest face. `threshold` is strict, medium (default), low, none or a similarity 0–1.',
        consumes: IMAGE_CONSUMES,
        querystring: VerifyQuery,
        body: imageBody(VerifyJsonBody),
        ...multipartDoc(['image_a', 'image_b']),
        response: { 200: VerifyResponse, ...faceErrorResponses },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      const a = side(input, 'a', maxUploadBytes);
      const b = side(input, 'b', maxUploadBytes);
      const threshold = input.fields.threshold as string | number | undefined;
      const { minFaceSize } = parseFaceOptions({ min_face_size: input.fields.min_face_size });
      return mapVerify(await service.verify(a, b, threshold, minFaceSize ? { minFaceSize } : {}));
    },
  );
};
