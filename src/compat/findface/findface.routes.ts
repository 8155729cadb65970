/**
 * The FindFace methods (FACTS.md "FindFace"), registered under one version prefix (/v0 or /v1).
 * Each handler reads its parameters, makes core calls and maps the answer to FindFace's shapes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GalleryService, IdentifyResult, StoredFace } from '../../core/index.js';
import { VisageError, isVisageError } from '../../domain/error.registry.js';
import type { AttributeName, Box, EmotionEstimate } from '../../domain/face.model.js';
import { cosineToSimilarity, THRESHOLD_PRESETS, type SimilarityCalibration } from '../../domain/similarity.rules.js';
import { readRequestInput, type RequestInput } from '../../http/shared/image-input.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { FINDFACE_POLICY, markEnrolsAll, type FindfaceMethod } from './findface-auth.policy.js';
import { confidenceToCosine, cosineToConfidence, similarityToCosine } from './findface-confidence.js';
import { bbox, bool, field, galleryList, intParam, mfSelector, photo, type MfSelector } from './findface-params.js';
import { boxKey, ffBox, ffFace, readMeta, type FfBox } from './findface.mapper.js';

/** FindFace's smallest face. */
export const FINDFACE_MIN_FACE = 50;
const DEFAULT_GALLERY = 'default';

/** Thrown for mf_selector=reject with several faces: the error body lists their boxes. */
export class MultipleFaces extends VisageError {
  constructor(readonly boxes: FfBox[]) {
    super('TOO_MANY_FACES', `The photo holds ${boxes.length} faces and mf_selector is reject`, { param: 'photo' });
  }
}

type Threshold = string | number;

/** FindFace threshold → the core's: presets keep their names (FAR), numbers map through the confidence scale. */
function threshold(input: RequestInput, cal: SimilarityCalibration, dflt: Threshold): Threshold {
  const v = field(input, 'threshold') ?? dflt;
  if (typeof v === 'string' && (THRESHOLD_PRESETS as readonly string[]).includes(v)) return v;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new VisageError('BAD_PARAM', 'threshold must be strict, medium, low, none or a number from 0 to 1', { param: 'threshold', value: String(v) });
  }
  return n === 0 ? 'none' : cosineToSimilarity(confidenceToCosine(n, cal), cal);
}

/** The core names an image `image` (or `url`); a FindFace client sent `photo`, `photo1` or `photo2`. */
async function asField<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isVisageError(e) && (e.details.param === 'image' || e.details.param === 'url')) throw new VisageError(e.code, e.message, { ...e.details, param: name }, { cause: e });
    throw e;
  }
}

/** FindFace takes JPEG, PNG and WEBP (Visage itself also decodes GIF, TIFF, AVIF, HEIF). */
function assertFindfaceFormat(bytes: Uint8Array, name: string): void {
  const ascii = (o: number, n: number) => Buffer.from(bytes.subarray(o, o + n)).toString('latin1');
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = ascii(0, 8) === '\x89PNG\r\n\x1a\n';
  const webp = ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP';
  if (!jpeg && !png && !webp) throw new VisageError('UNSUPPORTED_MEDIA_TYPE', `${name} must be a JPEG, PNG or WEBP image`, { param: name });
}

function overlap(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export function registerFindfaceRoutes(api: FastifyInstance, deps: SurfaceDeps): void {
  const cal = () => deps.faceService.embedder.calibration;
  const galleriesOf = (req: FastifyRequest): GalleryService => {
    if (!deps.galleries) throw new VisageError('NOT_FOUND', 'Galleries are not enabled on this server');
    return req.principal ? deps.galleries.scoped(req.principal.account) : deps.galleries;
  };
  const withDefault = async (g: GalleryService) => {
    await g.ensureGallery(DEFAULT_GALLERY);
    return g;
  };
  const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, policy: FindfaceMethod, handler: (req: FastifyRequest, input: RequestInput) => Promise<unknown>, status = 200) => {
    for (const u of [url, `${url}/`]) {
      api.route({
        method,
        url: u,
        schema: { hide: true },
        config: { auth: FINDFACE_POLICY[policy] },
        // POST face: the parameters are read before credits are reserved, so mf_selector=all can reserve per face.
        ...(policy === 'createFace' ? { preValidation: async (req: FastifyRequest) => markEnrolsAll(req, mfSelector(await readRequestInput(req)) === 'all') } : {}),
        handler: async (req, reply) => {
          const out = await handler(req, await readRequestInput(req));
          if (status === 204) return reply.status(204).send();
          return reply.status(status).send(out);
        },
      });
    }
  };

  /** The photo's bytes (a URL through the core's SSRF-safe fetcher), in one of FindFace's formats. */
  const loadPhoto = async (input: RequestInput, name: string): Promise<{ bytes: Uint8Array }> => {
    const image = photo(input, name, deps.maxUploadBytes);
    const bytes = 'bytes' in image ? image.bytes : await asField(name, deps.faceService.bytesOf(image));
    assertFindfaceFormat(bytes, name);
    return { bytes };
  };

  /** The faces of a photo, FindFace-style: 50 px minimum, templates when asked, mf_selector and bbox applied. */
  const facesOf = async (input: RequestInput, name: string, opts: { templates: boolean; box?: Box; mf: MfSelector; attributes?: AttributeName[] }) => {
    const image = await loadPhoto(input, name);
    const faceOptions = { minFaceSize: FINDFACE_MIN_FACE, attributes: opts.attributes ?? [], landmarks68: false };
    const r = await asField(name, opts.templates ? deps.faceService.templates(image, faceOptions) : deps.faceService.detect(image, faceOptions));
    const templates = 'templates' in r ? (r.templates as string[]) : [];
    let faces = r.faces.map((f, i) => ({ face: f, template: templates[i] }));
    if (opts.box) {
      // The face the client pointed at: the detected face that overlaps the box most.
      const box = opts.box;
      const best = faces.map((f) => ({ f, o: overlap(f.face.box, box) })).sort((a, b) => b.o - a.o)[0];
      faces = best && best.o > 0 ? [best.f] : [];
    }
    if (faces.length === 0) throw new VisageError('NO_FACE', `No face was found in ${name}`, { param: name });
    if (faces.length > 1 && opts.mf === 'reject') throw new MultipleFaces(faces.map((f) => ffBox(f.face.box)));
    if (opts.mf === 'biggest') faces = [faces.reduce((a, b) => ((b.face.box.x2 - b.face.box.x1) * (b.face.box.y2 - b.face.box.y1) > (a.face.box.x2 - a.face.box.x1) * (a.face.box.y2 - a.face.box.y1) ? b : a))];
    return { image, faces };
  };

  const faceOut = async (g: GalleryService, faces: StoredFace[]) => {
    const names = await g.galleriesOf(faces);
    return faces.map((f) => ffFace(f, names.get(f.id) ?? [], ''));
  };

  // detect
  route('POST', '/detect', 'detect', async (_req, input) => {
    const attributes: AttributeName[] = [];
    const want = { age: bool(input, 'age'), gender: bool(input, 'gender'), emotions: bool(input, 'emotions') };
    if (want.age) attributes.push('age');
    if (want.gender) attributes.push('gender');
    if (want.emotions) attributes.push('emotion');
    const image = await loadPhoto(input, 'photo');
    const r = await asField('photo', deps.faceService.detect(image, { minFaceSize: FINDFACE_MIN_FACE, attributes, landmarks68: false }));
    return {
      faces: r.faces.map((f) => {
        const out: Record<string, unknown> = { ...ffBox(f.box) };
        const a = f.attributes;
        if (want.age) out.age = a.age ?? null;
        if (want.gender) out.gender = a.gender?.label ?? null;
        if (want.emotions) out.emotions = emotionList(a.emotion);
        return out;
      }),
      orientation: 1,
    };
  });

  // verify
  route('POST', '/verify', 'verify', async (_req, input) => {
    const mf = mfSelector(input);
    const t = threshold(input, cal(), 'medium');
    const [a, b] = await Promise.all([
      facesOf(input, 'photo1', { templates: true, box: bbox(input, 'bbox1'), mf }),
      facesOf(input, 'photo2', { templates: true, box: bbox(input, 'bbox2'), mf }),
    ]);
    const results = [];
    for (const fa of a.faces) {
      for (const fb of b.faces) {
        const v = await deps.faceService.verify({ template: fa.template! }, { template: fb.template! }, t);
        results.push({ bbox1: ffBox(fa.face.box), bbox2: ffBox(fb.face.box), confidence: cosineToConfidence(similarityToCosine(v.similarity, cal()), cal()), verified: v.match });
      }
    }
    return { results, verified: results.some((r) => r.verified) };
  });

  // identify (the whole account, or one gallery)
  const identify = async (req: FastifyRequest, input: RequestInput, galleries?: string[]) => {
    const g = await withDefault(galleriesOf(req));
    const mf = mfSelector(input);
    const n = intParam(input, 'n', 1, 1, 1000);
    const t = threshold(input, cal(), 0.75);
    const { faces } = await facesOf(input, 'photo', { templates: true, box: bbox(input, 'bbox'), mf });
    const results: Record<string, unknown[]> = {};
    for (const f of faces) {
      const probe = { template: f.template! };
      // A face in several of the named galleries is one candidate: ask for enough to fill n after merging.
      const opts = { limit: Math.min(1000, n * (galleries?.length ?? 1)), threshold: t };
      const r: IdentifyResult = galleries ? await g.identify(galleries, probe, opts) : await g.identifyAccount(probe, { ...opts, limit: n });
      const seen = new Set<number>();
      const matches = (r.probes[0]?.matches ?? []).filter((m) => !seen.has(m.face.id) && (seen.add(m.face.id), true)).slice(0, n);
      const out = await faceOut(g, matches.map((m) => m.face));
      results[boxKey(ffBox(f.face.box))] = matches.map((m, i) => ({ confidence: cosineToConfidence(m.cosine, cal()), face: out[i] }));
    }
    return { results };
  };
  route('POST', '/identify', 'identify', async (req, input) => {
    // Every named gallery is searched (a face in several counts once); none named: the whole account.
    return identify(req, input, galleryList(field(input, 'gallery') ?? field(input, 'galleries')));
  });
  route('POST', '/faces/gallery/:gallery/identify', 'identify', async (req, input) => identify(req, input, [(req.params as { gallery: string }).gallery]));

  // face create
  route('POST', '/face', 'createFace', async (req, input) => {
    const g = await withDefault(galleriesOf(req));
    const galleries = galleryList(field(input, 'galleries')) ?? [DEFAULT_GALLERY];
    const mf = mfSelector(input);
    const meta = field(input, 'meta');
    if (meta !== undefined && typeof meta !== 'string') throw new VisageError('BAD_PARAM', 'meta must be a string', { param: 'meta', value: JSON.stringify(meta) });
    const box = bbox(input, 'bbox');
    let created: StoredFace[];
    if (!box && mf !== 'reject') {
      // One analysis: the core enrols the photo's largest (or every) face, with its box and photo hash.
      const image = await loadPhoto(input, 'photo');
      const budget = req.creditsGranted ?? undefined;
      created = await asField('photo', g.enrol(galleries[0]!, { image }, { meta: meta ?? '', faces: mf === 'all' ? 'all' : 'largest', faceOptions: { minFaceSize: FINDFACE_MIN_FACE }, ...(budget !== undefined ? { budget } : {}) }));
    } else {
      const { faces } = await facesOf(input, 'photo', { templates: true, box, mf });
      created = [];
      for (const f of faces) created.push(...(await g.enrol(galleries[0]!, { template: f.template! }, { meta: meta ?? '' })).map((x) => ({ ...x, box: x.box ?? f.face.box })));
    }
    if (galleries.length > 1) for (const f of created) await g.changeFaceGalleries(f.id, { add: galleries.slice(1) });
    req.creditsUsed = created.length; // one credit per created face; the rest of the reserve is refunded
    return { results: await faceOut(g, created) };
  });

  // one face by id
  const faceId = (req: FastifyRequest) => {
    const raw = (req.params as { id: string }).id;
    if (!/^[0-9]{1,10}$/.test(raw)) throw new VisageError('BAD_PARAM', 'id must be a face id (an integer)', { param: 'id', value: raw });
    return Number(raw);
  };
  for (const base of ['/face/id/:id', '/faces/id/:id']) {
    route('GET', base, 'readFaces', async (req) => {
      const g = galleriesOf(req);
      return (await faceOut(g, [await g.faceById(faceId(req))]))[0];
    });
    route('PUT', base, 'updateFace', async (req, input) => {
      const g = await withDefault(galleriesOf(req));
      const id = faceId(req);
      const meta = field(input, 'meta');
      const person = field(input, 'person_id');
      if (person !== undefined && !Number.isInteger(Number(person))) throw new VisageError('BAD_PARAM', 'person_id must be an integer', { param: 'person_id', value: String(person) });
      if (meta !== undefined || person !== undefined) {
        await g.updateFaceById(id, { ...(meta !== undefined ? { meta: String(meta) } : {}), ...(person !== undefined ? { personId: Number(person) } : {}) });
      }
      let gal = field(input, 'galleries');
      if (typeof gal === 'string') {
        try {
          gal = JSON.parse(gal);
        } catch {
          /* a plain name: handled below */
        }
      }
      if (gal !== undefined) {
        if (gal && typeof gal === 'object' && !Array.isArray(gal)) {
          const o = gal as Record<string, unknown>;
          const change = {
            ...(o.add !== undefined ? { add: galleryList(o.add, 'galleries.add') ?? [] } : {}),
            ...(o.del !== undefined ? { remove: galleryList(o.del, 'galleries.del') ?? [] } : {}),
            ...(o.set !== undefined ? { set: galleryList(o.set, 'galleries.set') ?? [] } : {}),
          };
          await g.changeFaceGalleries(id, change);
        } else {
          await g.changeFaceGalleries(id, { set: galleryList(gal) ?? [] });
        }
      }
      return (await faceOut(g, [await g.faceById(id)]))[0];
    });
    route('DELETE', base, 'deleteFace', async (req) => galleriesOf(req).deleteFaceById(faceId(req)), 204);
  }

  route('GET', '/person/id/:id', 'readFaces', async (req) => {
    const g = galleriesOf(req);
    const raw = (req.params as { id: string }).id;
    if (!/^-?[0-9]{1,15}$/.test(raw)) throw new VisageError('BAD_PARAM', 'id must be an integer', { param: 'id', value: raw });
    const page = await g.listAccountFaces({ personId: Number(raw), limit: 1000 });
    return { results: await faceOut(g, page.faces) };
  });

  route('GET', '/face/meta/:meta', 'readFaces', async (req) => {
    const g = galleriesOf(req);
    const page = await g.listAccountFaces({ metaEquals: (req.params as { meta: string }).meta, limit: 1000 });
    return { results: await faceOut(g, page.faces) };
  });

  // face lists, paged by id: max_id (older than) / min_id (newer than)
  const list = async (req: FastifyRequest, input: RequestInput, gallery?: string) => {
    const g = await withDefault(galleriesOf(req));
    const limit = intParam(input, 'limit', 100, 1, 1000);
    const maxId = field(input, 'max_id') === undefined ? undefined : intParam(input, 'max_id', 0, 0, 2 ** 31);
    const minId = field(input, 'min_id') === undefined ? undefined : intParam(input, 'min_id', 0, 0, 2 ** 31);
    const query = { limit, ...(maxId !== undefined ? { cursor: maxId } : {}), ...(minId !== undefined ? { idFrom: minId + 1 } : {}) };
    const page = gallery ? await g.listFaces(gallery, query) : await g.listAccountFaces(query);
    const path = `${req.url.split('?')[0]!.replace(/\/$/, '')}`;
    const first = page.faces[0];
    return {
      next_page: page.nextCursor !== null ? `${path}?max_id=${page.nextCursor}` : null,
      prev_page: first && (maxId !== undefined || minId !== undefined) ? `${path}?min_id=${first.id}` : null,
      results: await faceOut(g, page.faces),
    };
  };
  route('GET', '/faces', 'readFaces', async (req, input) => list(req, input));
  route('GET', '/faces/gallery/:gallery', 'readFaces', async (req, input) => list(req, input, (req.params as { gallery: string }).gallery));

  const metaList = async (req: FastifyRequest, gallery?: string) => {
    const g = await withDefault(galleriesOf(req));
    const rows = await g.metaCounts(gallery);
    const faces = await faceOut(g, rows.map((r) => r.face));
    return { results: rows.map((r, i) => ({ count: r.count, face: faces[i], meta: readMeta(r.meta).meta })) };
  };
  route('GET', '/meta', 'readFaces', async (req) => metaList(req));
  route('GET', '/meta/gallery/:gallery', 'readFaces', async (req) => metaList(req, (req.params as { gallery: string }).gallery));

  // galleries
  route('GET', '/galleries', 'listGalleries', async (req) => ({ results: (await (await withDefault(galleriesOf(req))).listGalleries()).map((x) => x.name) }));
  const createGallery = async (req: FastifyRequest, name: unknown) => {
    const [n] = galleryList(typeof name === 'string' ? name : undefined, 'name') ?? [];
    if (!n) throw new VisageError('BAD_PARAM', 'name must be a gallery name', { param: 'name', value: String(name ?? '') });
    await galleriesOf(req).createGallery({ name: n });
    return {};
  };
  route('POST', '/galleries/:name', 'createGallery', async (req) => createGallery(req, (req.params as { name: string }).name), 201);
  route('POST', '/galleries', 'createGallery', async (req, input) => createGallery(req, field(input, 'name')), 201);
  route('DELETE', '/galleries/:name', 'deleteGallery', async (req) => {
    const name = (req.params as { name: string }).name;
    if (name === DEFAULT_GALLERY) throw new VisageError('BAD_PARAM', 'the default gallery cannot be deleted', { param: 'name', value: name });
    await galleriesOf(req).deleteGallery(name);
  }, 204);
}

/** Emotions best first: the dominant one and any at least half as likely (FindFace lists one or a few). */
function emotionList(e: EmotionEstimate | undefined): string[] {
  if (!e) return [];
  const entries = Object.entries(e.probabilities).sort((x, y) => y[1] - x[1]);
  const top = entries[0]?.[1] ?? 0;
  return entries.filter(([, v]) => v >= top / 2).map(([k]) => k);
}
