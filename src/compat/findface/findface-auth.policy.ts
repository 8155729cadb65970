/**
 * The dialect's access policy, one row per method: scope, paid operation (one credit per
 * detect, verify, identify or created face) and audit action, as for the native routes.
 */
import type { AuthPolicy } from '../../http/shared/auth.plugin.js';

export const FINDFACE_POLICY = {
  detect: { scope: 'detect', op: 'detect' },
  verify: { scope: 'verify', op: 'verify' },
  identify: { scope: 'search', op: 'search', audit: 'search' },
  createFace: { scope: 'galleries:write', op: 'enrol', audit: 'face.enrol' },
  readFaces: { scope: 'galleries:read' },
  updateFace: { scope: 'galleries:write', audit: 'face.update' },
  deleteFace: { scope: 'galleries:write', audit: 'face.delete' },
  listGalleries: { scope: 'galleries:read' },
  createGallery: { scope: 'galleries:write', audit: 'gallery.create' },
  deleteGallery: { scope: 'galleries:write', audit: 'gallery.delete' },
} as const satisfies Record<string, AuthPolicy>;

export type FindfaceMethod = keyof typeof FINDFACE_POLICY;
