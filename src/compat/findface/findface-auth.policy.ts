/**
 * The dialect's access policy, one row per method: scope, paid operation (one credit per
 * detect, verify, identify or created face) and audit action, as for the native routes.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthPolicy } from '../../http/shared/auth.plugin.js';

/**
 * Credits reserved for `POST face` with mf_selector=all, before the photo is analysed: the
 * server's default face limit (VISAGE_MAX_FACES, 100). What is left of the allowance is
 * reserved when that is less; the handler keeps one credit per created face and refunds the rest.
 */
export const ALL_FACES_RESERVE = 100;

const enrolsAll = new WeakMap<FastifyRequest, boolean>();
/** Set by the route's preValidation once the parameters are read (multipart included). */
export const markEnrolsAll = (req: FastifyRequest, all: boolean): void => void enrolsAll.set(req, all);
const createCost = (req: FastifyRequest): number => (enrolsAll.get(req) ? ALL_FACES_RESERVE : 1);

export const FINDFACE_POLICY = {
  detect: { scope: 'detect', op: 'detect' },
  verify: { scope: 'verify', op: 'verify' },
  identify: { scope: 'search', op: 'search', audit: 'search' },
  // One credit per created face: mf_selector=all reserves ALL_FACES_RESERVE and keeps what it used.
  createFace: { scope: 'galleries:write', op: 'enrol', cost: createCost, perItem: true, audit: 'face.enrol' },
  readFaces: { scope: 'galleries:read' },
  updateFace: { scope: 'galleries:write', audit: 'face.update' },
  deleteFace: { scope: 'galleries:write', audit: 'face.delete' },
  listGalleries: { scope: 'galleries:read' },
  createGallery: { scope: 'galleries:write', audit: 'gallery.create' },
  deleteGallery: { scope: 'galleries:write', audit: 'gallery.delete' },
} as const satisfies Record<string, AuthPolicy>;

export type FindfaceMethod = keyof typeof FINDFACE_POLICY;
