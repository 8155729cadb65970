/**
 * Templates: an opaque, URL-safe string a client can store and send back anywhere a template is
 * accepted. It carries the model key (id@version) so templates of two models never mix.
 *
 * Layout before base64url: "VT" | format(1) | keyLen(1) | key(utf8) | dim(uint16 LE) |
 * dim × float32 LE | crc32 of everything before (uint32 LE).
 */
import { VisageError } from './error.registry.js';

const MAGIC0 = 0x56; // 'V'
const MAGIC1 = 0x54; // 'T'
const FORMAT = 1;

export interface Template {
  /** `<model id>@<version>`, e.g. `fr-arcface-512@1`. */
  modelKey: string;
  vector: Float32Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), catches truncated or edited templates. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeTemplate(t: Template): string {
  const key = Buffer.from(t.modelKey, 'utf8');
  if (key.length > 255) throw new Error('model key too long');
  const size = 4 + key.length + 2 + t.vector.length * 4 + 4;
  const buf = Buffer.alloc(size);
  let o = 0;
  buf[o++] = MAGIC0;
  buf[o++] = MAGIC1;
  buf[o++] = FORMAT;
  buf[o++] = key.length;
  key.copy(buf, o);
  o += key.length;
  buf.writeUInt16LE(t.vector.length, o);
  o += 2;
  for (let i = 0; i < t.vector.length; i++, o += 4) buf.writeFloatLE(t.vector[i]!, o);
  buf.writeUInt32LE(crc32(buf.subarray(0, o)), o);
  return buf.toString('base64url');
}

export function decodeTemplate(s: string, param = 'template'): Template {
  const invalid = (why: string) => new VisageError('TEMPLATE_INVALID', `The template is not valid: ${why}`, { param });
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(s)) throw invalid('not base64url text');
  const buf = Buffer.from(s, 'base64url');
  if (buf.length < 10 || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) throw invalid('unknown format');
  if (buf[2] !== FORMAT) throw invalid(`unsupported format version ${buf[2]}`);
  const keyLen = buf[3]!;
  const dimAt = 4 + keyLen;
  if (buf.length < dimAt + 2 + 4) throw invalid('truncated');
  const dim = buf.readUInt16LE(dimAt);
  const end = dimAt + 2 + dim * 4;
  if (buf.length !== end + 4) throw invalid('truncated or padded');
  if (buf.readUInt32LE(end) !== crc32(buf.subarray(0, end))) throw invalid('checksum mismatch');
  const vector = new Float32Array(dim);
  for (let i = 0; i < dim; i++) vector[i] = buf.readFloatLE(dimAt + 2 + i * 4);
  if (!vector.every(Number.isFinite)) throw invalid('non-finite values');
  return { modelKey: buf.toString('utf8', 4, dimAt), vector };
}

/** Refuses a template made by another model (or version): never compare across models. */
export function assertSameModel(t: Template, modelKey: string, param = 'template'): void {
  if (t.modelKey !== modelKey) {
    throw new VisageError(
      'TEMPLATE_MODEL_MISMATCH',
      `The template was made by model ${t.modelKey}; this server uses ${modelKey}`,
      { param, templateModel: t.modelKey, serverModel: modelKey },
    );
  }
}
