/**
 * The galleries a request may touch: the caller's account only. Another account's gallery is
 * simply not there (GALLERY_NOT_FOUND), the same answer as a gallery that does not exist.
 * Without auth (an app built with no accounts) every request acts for the default account.
 */
import type { FastifyRequest } from 'fastify';
import type { GalleryService } from '../../../core/index.js';

export function callerGalleries(all: GalleryService, req: FastifyRequest): GalleryService {
  return req.principal ? all.scoped(req.principal.account) : all;
}
