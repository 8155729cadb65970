/**
 * /v1/catalogue: agencies, models and reviews (create, list paged and filtered, read, update,
 * delete), each model's photos (added photos are enrolled in the account's `catalogue`
 * gallery), photo scoring and look-alike search. Every call acts on the caller's account.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { CatalogueService } from '../../../core/index.js';
import { agencyFilter, modelFilter, pageQuery, reviewFilter, text } from '../../../domain/catalogue.rules.js';
import { VisageError } from '../../../domain/error.registry.js';
import { readRequestInput, requireImage } from '../../shared/image-input.js';
import { IMAGE_CONSUMES, imageBody, multipartDoc } from '../../shared/route-common.js';
import { mapAgency, mapLookAlikes, mapModel, mapPage, mapPhoto, mapReview, mapScores } from '../mappers/catalogue.mapper.js';
import {
  AgencyQuery,
  AgencySchema,
  IdParams,
  LookAlikesResponse,
  ModelQuery,
  ModelSchema,
  PhotoParams,
  PhotoSchema,
  RecordBody,
  ReviewQuery,
  ReviewSchema,
  ScoresResponse,
  catalogueReadErrors,
  cataloguePhotoErrors,
  catalogueWriteErrors,
  pageOf,
} from '../schemas/catalogue.schemas.js';

export interface CatalogueRouteOptions {
  catalogue: CatalogueService;
  maxUploadBytes: number;
}

type Raw = Record<string, unknown>;
type Crud<T> = {
  create(s: CatalogueService, b: Raw): Promise<T>;
  get(s: CatalogueService, id: number): Promise<T>;
  update(s: CatalogueService, id: number, b: Raw): Promise<T>;
  delete(s: CatalogueService, id: number): Promise<void>;
  list(s: CatalogueService, q: Raw): Promise<{ items: T[]; page: number; perPage: number; total: number }>;
};

const caller = (all: CatalogueService, req: FastifyRequest) => (req.principal ? all.scoped(req.principal.account) : all);
const paging = (q: Raw) => pageQuery({ page: q.page, perPage: q.per_page, sortDir: q.sort_dir });

const RESOURCES = {
  agencies: {
    one: 'agency', schema: AgencySchema, query: AgencyQuery, map: mapAgency,
    crud: {
      create: (s, b) => s.createAgency(b), get: (s, id) => s.getAgency(id), update: (s, id, b) => s.updateAgency(id, b), delete: (s, id) => s.deleteAgency(id),
      list: (s, q) => s.listAgencies(agencyFilter(q), paging(q)),
    } as Crud<Parameters<typeof mapAgency>[0]>,
  },
  models: {
    one: 'model', schema: ModelSchema, query: ModelQuery, map: mapModel,
    crud: {
      create: (s, b) => s.createModel(b), get: (s, id) => s.getModel(id), update: (s, id, b) => s.updateModel(id, b), delete: (s, id) => s.deleteModel(id),
      list: (s, q) => s.listModels(modelFilter(q), paging(q)),
    } as Crud<Parameters<typeof mapModel>[0]>,
  },
  reviews: {
    one: 'review', schema: ReviewSchema, query: ReviewQuery, map: mapReview,
    crud: {
      create: (s, b) => s.createReview(b), get: (s, id) => s.getReview(id), update: (s, id, b) => s.updateReview(id, b), delete: (s, id) => s.deleteReview(id),
      list: (s, q) => s.listReviews(reviewFilter(q), paging(q)),
    } as Crud<Parameters<typeof mapReview>[0]>,
  },
} as const;

export const catalogueRoute: FastifyPluginAsyncTypebox<CatalogueRouteOptions> = async (app, { catalogue: all, maxUploadBytes }) => {
  const tags = ['catalogue'];
  // One table of three resources; the types meet only at the mapper, so they are erased here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const [name, r] of Object.entries(RESOURCES) as unknown as [string, { one: string; schema: TObject; query: TObject; map: (x: any) => any; crud: Crud<never> }][]) {
    const base = `/catalogue/${name}`;
    app.post(base, { schema: { tags, summary: `Create a ${r.one}`, body: RecordBody, response: { 201: r.schema, ...catalogueWriteErrors } } }, async (req, reply) =>
      reply.status(201).send(r.map(await r.crud.create(caller(all, req), req.body as Raw))),
    );
    app.get(base, { schema: { tags, summary: `List ${name}, paged and filtered`, querystring: r.query, response: { 200: pageOf(r.schema), ...catalogueReadErrors } } }, async (req) =>
      mapPage(await r.crud.list(caller(all, req), req.query as Raw), r.map),
    );
    app.get(`${base}/:id`, { schema: { tags, summary: `Read a ${r.one}`, params: IdParams, response: { 200: r.schema, ...catalogueReadErrors } } }, async (req) =>
      r.map(await r.crud.get(caller(all, req), req.params.id)),
    );
    app.patch(`${base}/:id`, { schema: { tags, summary: `Change a ${r.one}'s fields`, params: IdParams, body: RecordBody, response: { 200: r.schema, ...catalogueWriteErrors } } }, async (req) =>
      r.map(await r.crud.update(caller(all, req), req.params.id, req.body as Raw)),
    );
    app.delete(`${base}/:id`, { schema: { tags, summary: `Delete a ${r.one}`, params: IdParams, response: { 204: Type.Null(), ...catalogueReadErrors } } }, async (req, reply) => {
      await r.crud.delete(caller(all, req), req.params.id);
      return reply.status(204).send(null);
    });
  }

  app.post(
    '/catalogue/models/:id/photos',
    {
      schema: {
        tags,
        summary: "Add a photo to a model (its largest face is enrolled in the account's catalogue gallery)",
        description: 'The same photo (same bytes) again returns the photo added before, with 200 instead of 201. `label` names it (a file name).',
        consumes: IMAGE_CONSUMES,
        params: IdParams,
        body: imageBody(Type.Object({ image: Type.Optional(Type.String()), url: Type.Optional(Type.String()), label: Type.Optional(Type.String()) })),
        ...multipartDoc(),
        response: { 200: PhotoSchema, 201: PhotoSchema, ...cataloguePhotoErrors },
      },
    },
    async (req, reply) => {
      const input = await readRequestInput(req);
      const label = input.fields.label === undefined ? null : text(input.fields.label, 'label');
      const r = await caller(all, req).addPhoto(req.params.id, requireImage(input, { image: 'image', url: 'url' }, maxUploadBytes), label);
      if (!r.created) req.creditsUsed = 0; // nothing was enrolled
      return reply.status(r.created ? 201 : 200).send(mapPhoto(r.photo));
    },
  );

  app.delete(
    '/catalogue/models/:id/photos/:photo',
    { schema: { tags, summary: 'Remove a photo (and its enrolled face)', params: PhotoParams, response: { 204: Type.Null(), ...catalogueReadErrors } } },
    async (req, reply) => {
      await caller(all, req).deletePhoto(req.params.id, req.params.photo);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/catalogue/score',
    {
      schema: {
        tags,
        summary: 'Score up to 5 photos as portfolio photos (0–1000, with the parts)',
        description: 'Multipart files `images` (repeat the field, or `images[]`). It scores the photo, never the person: docs/catalogue.md.',
        consumes: ['multipart/form-data'],
        ...multipartDoc(['images']),
        response: { 200: ScoresResponse, ...cataloguePhotoErrors },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      const files = [...(input.fileLists?.get('images') ?? []), ...(input.fileLists?.get('images[]') ?? [])];
      const images = files.filter((f) => f.length > 0).map((bytes) => ({ bytes }));
      if (images.length === 0) throw new VisageError('IMAGE_MISSING', 'Send the photos as multipart files named images', { param: 'images' });
      return mapScores(await caller(all, req).scorePhotos(images));
    },
  );

  app.post(
    '/catalogue/similar',
    {
      schema: {
        tags,
        summary: 'The catalogue models who look most like the largest face of a photo, best first',
        consumes: IMAGE_CONSUMES,
        querystring: Type.Object({ limit: Type.Optional(Type.String({ description: 'Models to return, 1–1000 (default 10)' })) }, { additionalProperties: true }),
        body: imageBody(Type.Object({ image: Type.Optional(Type.String()), url: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer()) })),
        ...multipartDoc(),
        response: { 200: LookAlikesResponse, ...cataloguePhotoErrors },
      },
    },
    async (req) => {
      const input = await readRequestInput(req);
      return mapLookAlikes(await caller(all, req).lookAlikes(requireImage(input, { image: 'image', url: 'url' }, maxUploadBytes), input.fields.limit ?? undefined));
    },
  );
};
