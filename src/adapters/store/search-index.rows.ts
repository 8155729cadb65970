/** The source row every SQL search-index store reads (SQLite, PostgreSQL: the same columns), its mapping, and the vector bytes both keep. */
import type { Box } from '../../domain/face.model.js';
import type { IndexFaceSource } from '../../ports/search-index-store.port.js';

export interface SourceRow {
  face_id: number;
  url: string;
  grp: number;
  guid: string;
  face_index: number;
  x1: number | null;
  y1: number | null;
  x2: number | null;
  y2: number | null;
}

export const toSource = (r: SourceRow): IndexFaceSource => ({
  faceId: r.face_id,
  url: r.url,
  group: r.grp,
  guid: r.guid,
  faceIndex: r.face_index,
  box: r.x1 === null ? null : ({ x1: r.x1, y1: r.y1!, x2: r.x2!, y2: r.y2! } as Box),
});

/** float32 little-endian bytes, as faces.vector, to a vector (a copy: the Buffer may share the driver's memory). */
export const toVector = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
