/** Detection (faceData, a crop and five points per face) and 1:1 comparison. */
import type { FastifyPluginAsync } from 'fastify';
import type { FaceService } from '../../../core/index.js';
import { image, jsonObject, text } from '../facematch.input.js';
import { mapDetect, similarity } from '../facematch.mapper.js';

const hide = { hide: true } as const;

export const faceRoutes: FastifyPluginAsync<{ faces: FaceService; maxUploadBytes: number }> = async (app, o) => {
  app.post('/detect', { schema: hide }, async (req) => mapDetect(await o.faces.templatesWithCrops(image(jsonObject(req), 'image', o.maxUploadBytes))));

  app.post('/compare/face-data', { schema: hide }, async (req) => {
    const b = jsonObject(req);
    const r = await o.faces.verify({ template: text(b, 'faceData1'), param: 'faceData1' }, { template: text(b, 'faceData2'), param: 'faceData2' });
    return { similarity: similarity(r.similarity) };
  });

  app.post('/compare/image', { schema: hide }, async (req) => {
    const b = jsonObject(req);
    const r = await o.faces.verify({ image: image(b, 'image1', o.maxUploadBytes), param: 'image1' }, { image: image(b, 'image2', o.maxUploadBytes), param: 'image2' });
    return { similarity: similarity(r.similarity) };
  });
};
