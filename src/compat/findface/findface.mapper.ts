/** FindFace's shapes: integer boxes, the Face object, its timestamp format. */
import type { StoredFace } from '../../core/index.js';
import type { Box } from '../../domain/face.model.js';

export interface FfBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Coordinates are JSON integers (clients hard-cast); outside the photo is allowed. */
export const ffBox = (b: Box): FfBox => ({ x1: Math.round(b.x1), y1: Math.round(b.y1), x2: Math.round(b.x2), y2: Math.round(b.y2) });

/** The identify results key: the probe box as "[x1, y1, x2, y2]". */
export const boxKey = (b: FfBox): string => `[${b.x1}, ${b.y1}, ${b.x2}, ${b.y2}]`;

/** "2017-05-16T14:51:12.943000": UTC, microseconds, no zone, as the SDK prints it. */
export const ffTimestamp = (d: Date): string => `${d.toISOString().slice(0, 23)}000`;

/** What a FindFace face keeps in Visage's meta: its meta string and the photo it came from. */
export interface FfMeta {
  meta: string;
  photo: string;
}

export function readMeta(m: StoredFace['meta']): FfMeta {
  if (m && typeof m === 'object' && !Array.isArray(m)) {
    const o = m as Record<string, unknown>;
    return { meta: typeof o.meta === 'string' ? o.meta : '', photo: typeof o.photo === 'string' ? o.photo : '' };
  }
  return { meta: typeof m === 'string' ? m : m === null ? '' : JSON.stringify(m), photo: '' };
}

export function ffFace(f: StoredFace, galleries: string[], thumbnailUrl: string): Record<string, unknown> {
  const m = readMeta(f.meta);
  const b = f.box ? ffBox(f.box) : { x1: 0, y1: 0, x2: 0, y2: 0 };
  return {
    id: f.id,
    timestamp: ffTimestamp(f.createdAt),
    photo: m.photo,
    photo_hash: f.photoHash ?? '',
    thumbnail: f.hasThumbnail ? thumbnailUrl : '',
    ...b,
    meta: m.meta,
    galleries,
    person_id: f.personId,
  };
}
