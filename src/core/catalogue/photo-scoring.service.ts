/**
 * Scores up to MAX_SCORED_PHOTOS photos (photo-scoring.rules.ts): for each, the faces found,
 * the largest face's age and gender as Visage estimates them, and the score with its parts.
 * Each photo answers for itself: one that cannot be read fails alone.
 */
import { MAX_SCORED_PHOTOS } from '../../domain/catalogue.rules.js';
import { VisageError, badParam } from '../../domain/error.registry.js';
import type { AttributeName, Box, GenderEstimate, HeadPose, RgbImage } from '../../domain/face.model.js';
import type { FaceService, ImageInput } from '../face.service.js';
import { pMapSettled } from '../settled-map.js';
import { flatShare } from './face-cover.rules.js';
import { largestFace, scorePhoto, type FacePixelMeasures, type PhotoScore } from './photo-scoring.rules.js';

export const SCORING_ATTRIBUTES: AttributeName[] = ['age', 'gender', 'emotion', 'quality', 'eyes'];

export interface ScoredPhoto extends PhotoScore {
  faces: number;
  age: number | null;
  gender: GenderEstimate | null;
  /** The face scored (the largest), or null without one. */
  box: Box | null;
  pose: HeadPose | null;
}

export type ScoredPhotoResult = { ok: true; photo: ScoredPhoto } | { ok: false; error: VisageError };

/** The pixel measures of a face whose box is in the photo's own pixels (`size`), read on `pixels`. */
export function measurePixels(pixels: RgbImage, size: { width: number; height: number }, box: Box): FacePixelMeasures {
  // The pixels may be the photo downscaled under the analysis cap: the box follows them.
  const sx = pixels.width / size.width, sy = pixels.height / size.height;
  return { flatShare: flatShare(pixels, { x1: box.x1 * sx, y1: box.y1 * sy, x2: box.x2 * sx, y2: box.y2 * sy }) };
}

export class PhotoScoring {
  constructor(private readonly faces: Pick<FaceService, 'detectWithPixels'>) {}

  async scoreOne(image: ImageInput): Promise<ScoredPhoto> {
    const { result: r, pixels } = await this.faces.detectWithPixels(image, { attributes: SCORING_ATTRIBUTES, maxFaces: 20 });
    const f = largestFace(r.faces);
    return {
      ...scorePhoto(r.faces, r.image, f ? measurePixels(pixels, r.image, f.box) : undefined),
      faces: r.faces.length,
      age: f?.attributes.age ?? null,
      gender: f?.attributes.gender ?? null,
      box: f?.box ?? null,
      pose: f?.pose ?? null,
    };
  }

  async score(images: ImageInput[]): Promise<ScoredPhotoResult[]> {
    if (images.length === 0) throw new VisageError('IMAGE_MISSING', 'Send at least one photo', { param: 'images' });
    if (images.length > MAX_SCORED_PHOTOS) throw badParam('images', `At most ${MAX_SCORED_PHOTOS} photos are scored at once`);
    const settled = await pMapSettled(images, 2, (img) => this.scoreOne(img));
    return settled.map((s) => (s.ok ? { ok: true, photo: s.value } : { ok: false, error: s.error instanceof VisageError ? s.error : new VisageError('INTERNAL') }));
  }
}
