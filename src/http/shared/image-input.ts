/**
 * The one place a request's images and option fields are read, whatever the encoding:
 * - multipart/form-data: file fields (`image`, `image_a`, …) and text fields;
 * - application/json: base64 strings (a `data:` URL prefix is tolerated) or `url` fields;
 * - a raw image body (`image/*` or `application/octet-stream`) as the field `image`.
 * Query parameters are merged under the body fields, so options work either way.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { VisageError, badParam } from '../../domain/error.registry.js';
import type { ImageInput } from '../../core/index.js';

export interface RequestInput {
  /** Binary images by field name (multipart files or a raw body). */
  files: Map<string, Uint8Array>;
  /** Every file of each field, in order, for fields sent more than once (`images[]`). */
  fileLists?: Map<string, Uint8Array[]>;
  /** Every other field: JSON values, multipart text fields and query parameters. */
  fields: Record<string, unknown>;
}

export interface ImageInputLimits {
  maxUploadBytes: number;
}

/** Adds the body parsers image input needs to the root instance (no encapsulation), before the routes. */
export async function registerImageInput(app: FastifyInstance, limits: ImageInputLimits): Promise<void> {
  {
    await app.register(multipart, {
      limits: {
        fileSize: limits.maxUploadBytes,
        // Photo scoring takes up to 5 photos in one request.
        files: 5,
        fields: 30,
        // A text field may carry a base64 image.
        fieldSize: Math.ceil((limits.maxUploadBytes * 4) / 3) + 1024,
        parts: 40,
      },
    });
    // Text bodies carry no image: refusing them up front gives UNSUPPORTED_MEDIA_TYPE, not IMAGE_MISSING.
    app.removeContentTypeParser('text/plain');
    const raw = { parseAs: 'buffer' as const, bodyLimit: limits.maxUploadBytes };
    const keep = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => done(null, body);
    app.addContentTypeParser('application/octet-stream', raw, keep);
    app.addContentTypeParser(/^image\/[\w.+-]+$/, raw, keep);
    app.addHook('preValidation', async (req) => refuseNonTextImages(req.body));
  }
}

/** JSON fields that carry a base64 image: `image`, and `image_a`, `image_b` of a verification. */
const IMAGE_FIELD = /^image(_[a-z])?$/;

/**
 * A JSON image field must be a string. Checked before schema validation, because the validator
 * coerces types (query strings need it): `{"image": 42}` would become the text "42", decode to
 * one byte and be refused as UNSUPPORTED_MEDIA_TYPE instead of naming the field.
 */
export function refuseNonTextImages(body: unknown): void {
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body) || Array.isArray(body)) return;
  for (const [k, v] of Object.entries(body)) {
    if (IMAGE_FIELD.test(k) && v !== undefined && v !== null && typeof v !== 'string') {
      throw badParam(k, `${k} must be a base64 string (got ${typeof v === 'object' ? 'an object' : `a ${typeof v}`})`);
    }
  }
}

/**
 * A multipart body is a stream that can be read once: auth (a key sent as a form field) and the
 * handler share the one reading. `input` is set once it has resolved.
 */
const readings = new WeakMap<FastifyRequest, { promise: Promise<RequestInput>; input?: RequestInput }>();

/** Reads files and fields from any supported encoding (once per request; later calls get the same answer). */
export function readRequestInput(req: FastifyRequest): Promise<RequestInput> {
  let reading = readings.get(req);
  if (!reading) {
    const entry: { promise: Promise<RequestInput>; input?: RequestInput } = { promise: readOnce(req).then((input) => (entry.input = input)) };
    readings.set(req, (reading = entry));
  }
  return reading.promise;
}

/** The fields of a request whose input has already been read, else null. */
export function fieldsAlreadyRead(req: FastifyRequest): Record<string, unknown> | null {
  return readings.get(req)?.input?.fields ?? null;
}

async function readOnce(req: FastifyRequest): Promise<RequestInput> {
  const files = new Map<string, Uint8Array>();
  const fileLists = new Map<string, Uint8Array[]>();
  const query = (req.query ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = { ...query };
  if (req.isMultipart()) {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const buf = await part.toBuffer(); // throws FST_REQ_FILE_TOO_LARGE past the limit
        const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
        if (buf.length > 0 || !files.has(part.fieldname)) files.set(part.fieldname, bytes);
        fileLists.set(part.fieldname, [...(fileLists.get(part.fieldname) ?? []), bytes]);
      } else {
        fields[part.fieldname] = part.value;
      }
    }
  } else if (Buffer.isBuffer(req.body)) {
    files.set('image', new Uint8Array(req.body.buffer, req.body.byteOffset, req.body.length));
  } else if (req.body && typeof req.body === 'object') {
    Object.assign(fields, req.body as Record<string, unknown>);
  }
  return { files, fileLists, fields };
}

const tooLarge = (param: string, maxBytes: number) =>
  new VisageError('IMAGE_TOO_LARGE', `${param} exceeds the upload limit of ${maxBytes} bytes (${(maxBytes / 1048576).toFixed(1)} MiB)`, { param, maxBytes });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes a base64 (or base64url) image, tolerating a data: URL prefix and line breaks. */
export function decodeBase64Image(text: string, param: string, maxBytes: number): Uint8Array {
  let s = text.trim();
  const comma = s.indexOf(',');
  if (s.startsWith('data:')) {
    if (comma < 0 || !/;base64$/i.test(s.slice(0, comma))) throw badParam(param, `${param} is a data: URL without base64 data`);
    s = s.slice(comma + 1);
  }
  s = s.replace(/\s+/g, '');
  if (s.length === 0) throw new VisageError('IMAGE_MISSING', `${param} is empty`, { param });
  if ((!BASE64.test(s) && !BASE64URL.test(s)) || s.length % 4 === 1) throw badParam(param, `${param} is not valid base64`);
  // Refuse before allocating: the decoded size is known from the text length.
  if (Math.floor((s.length * 3) / 4) - 2 > maxBytes) throw tooLarge(param, maxBytes);
  const buf = Buffer.from(s, BASE64.test(s) ? 'base64' : 'base64url');
  if (buf.length > maxBytes) throw tooLarge(param, maxBytes);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Picks one image from the input: a file, a base64 field of the same name, or a URL field.
 * Returns undefined when none is given; giving two is ambiguous and refused.
 */
export function pickImage(input: RequestInput, names: { image: string; url: string }, maxBytes: number): ImageInput | undefined {
  const file = input.files.get(names.image);
  const text = input.fields[names.image];
  const url = input.fields[names.url];
  const given = [file !== undefined, text !== undefined && text !== '', url !== undefined && url !== ''].filter(Boolean).length;
  if (given > 1) throw badParam(names.image, `Give only one of ${names.image} (file or base64) and ${names.url}`);
  if (file !== undefined) {
    if (file.length === 0) throw new VisageError('IMAGE_DECODE_FAILED', `${names.image} is empty (0 bytes)`, { param: names.image });
    if (file.length > maxBytes) throw tooLarge(names.image, maxBytes);
    return { bytes: file };
  }
  if (text !== undefined && text !== '') {
    if (typeof text !== 'string') throw badParam(names.image, `${names.image} must be a base64 string`);
    return { bytes: decodeBase64Image(text, names.image, maxBytes) };
  }
  if (url !== undefined && url !== '') {
    if (typeof url !== 'string') throw badParam(names.url, `${names.url} must be a string`);
    return { url };
  }
  return undefined;
}

/** Like pickImage, but IMAGE_MISSING when there is no image. */
export function requireImage(input: RequestInput, names: { image: string; url: string }, maxBytes: number): ImageInput {
  const img = pickImage(input, names, maxBytes);
  if (!img) throw new VisageError('IMAGE_MISSING', undefined, { param: names.image });
  return img;
}
