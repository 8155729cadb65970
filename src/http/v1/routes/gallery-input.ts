/** Request pieces the gallery, face and search routes share: face ids, probes, gallery lists. */
import type { AnyFaceRef, ProbeInput } from '../../../core/index.js';
import { VisageError, badParam } from '../../../domain/error.registry.js';
import { normalizeClientId } from '../../../domain/gallery.rules.js';
import { pickImage, type RequestInput } from '../../shared/image-input.js';

export type IdType = 'auto' | 'internal' | 'client';

/**
 * `{id}` as a face reference. With `id_type=auto` (the default) digits may be either kind: the
 * core looks up both and refuses with AMBIGUOUS_ID when they name two different faces.
 */
export function faceRef(raw: unknown, idType: IdType = 'auto', param = 'id'): AnyFaceRef {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || text === '') throw badParam(param, `${param} must be a face id`);
  const numeric = /^[0-9]{1,15}$/.test(text);
  if (idType === 'internal') {
    if (!numeric) throw badParam(param, `${param} must be a whole number with id_type=internal`);
    return { id: Number(text) };
  }
  if (idType === 'auto' && numeric) return { idOrClientId: text };
  return { clientId: normalizeClientId(text, param)! };
}

/** An image (file, base64 or URL) or a template, never both. */
export function probeFrom(input: RequestInput, maxBytes: number): ProbeInput {
  const template = input.fields.template;
  const image = pickImage(input, { image: 'image', url: 'url' }, maxBytes);
  if (template !== undefined && template !== '') {
    if (image) throw badParam('template', 'Give either an image (image/url) or a template, not both');
    if (typeof template !== 'string') throw badParam('template', 'template must be a string');
    return { template };
  }
  if (!image) throw new VisageError('IMAGE_MISSING', 'Give an image (multipart "image", JSON "image" or "url") or a template', { param: 'image' });
  return { image };
}

/** `galleries` as a JSON array or comma-separated text. */
export function galleryNames(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const names = list.map((v) => (typeof v === 'string' ? v.trim() : '')).filter((v) => v !== '');
  if (names.length === 0) throw badParam('galleries', 'galleries must name at least one gallery');
  return names;
}

export function facePick(value: unknown): 'largest' | 'all' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value !== 'largest' && value !== 'all') throw badParam('faces', 'faces must be largest or all');
  return value;
}
