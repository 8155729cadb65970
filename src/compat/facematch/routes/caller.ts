/** The caller's account view of the galleries and jobs (the default account without auth). */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_ACCOUNT, GalleryImports, type GalleryService, type JobService } from '../../../core/index.js';

export const account = (req: FastifyRequest): string => req.principal?.account ?? DEFAULT_ACCOUNT;

export const callerGalleries = (all: GalleryService, req: FastifyRequest): GalleryService => all.scoped(account(req));

export const callerImports = (all: GalleryService, jobs: JobService, req: FastifyRequest): GalleryImports =>
  new GalleryImports(callerGalleries(all, req), jobs.scoped(account(req)));
