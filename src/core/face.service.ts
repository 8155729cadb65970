/**
 * The face use cases over the ports: detect, make templates, verify two faces. Images come as
 * bytes or a URL; the service fetches, decodes and analyses, and never knows about HTTP.
 */
import { VisageError } from '../domain/error.registry.js';
import { boxWidth, type AnalyzedFace, type AttributeName, type Box, type DroppedFaces, type RgbImage } from '../domain/face.model.js';
import type { FaceOptions } from '../domain/face-options.rules.js';
import { scaleFace, scaleOf } from '../domain/face-scale.rules.js';
import { modelKey, type EmbedderInfo, type ModelInfo } from '../domain/model.info.js';
import { cosine, cosineToSimilarity, resolveThreshold, type ThresholdPreset } from '../domain/similarity.rules.js';
import { assertSameModel, decodeTemplate, encodeTemplate } from '../domain/template.codec.js';
import type { AnalyzeOptions, FaceAnalyzer } from '../ports/face-analyzer.port.js';
import type { FaceThumbnailer, FetchLimits, ImageDecoder, ImageFetcher } from '../ports/image.port.js';

export type { FetchLimits };

/** Bytes, or a URL to fetch (optionally under stricter limits than the server's own). */
export type ImageInput = { bytes: Uint8Array } | { url: string; limits?: FetchLimits };

/** One side of a verification: an image (its largest face) or a stored template. */
export type VerifySide = ({ image: ImageInput } | { template: string }) & { param?: string };

export interface FaceServiceDefaults {
  minFaceSize: number;
  maxFaces: number;
}

export interface DetectResult {
  image: { width: number; height: number };
  faces: AnalyzedFace[];
  /** Faces min_face_size and score_threshold removed (DroppedFaces); max_faces is not counted. */
  dropped: DroppedFaces;
  models: ModelInfo[];
  /** Echo of what was asked, so the mapper prints exactly that. */
  attributes: AttributeName[];
  landmarks68: boolean;
}

export interface TemplatesResult extends DetectResult {
  templateModel: string;
  templates: string[];
}

export interface VerifyResult {
  similarity: number;
  threshold: number;
  preset?: ThresholdPreset;
  match: boolean;
  model: string;
  /** The face used on each side; null when the side was a template. */
  boxes: { a: Box | null; b: Box | null };
}

/**
 * No face was ever found in a photo under 8 px on a side (tight LFW crops shrunk to 4-9 px: none
 * at 7, one 5 px box at 8; docs/accuracy.md, "Minimum face size"): such an image is refused.
 */
export const SMALLEST_FACE_IMAGE_SIDE = 8;

export class FaceService {
  constructor(
    private readonly deps: { analyzer: FaceAnalyzer; decoder: ImageDecoder; fetcher: ImageFetcher; thumbnailer?: FaceThumbnailer },
    private readonly defaults: FaceServiceDefaults,
  ) {}

  get embedder(): EmbedderInfo {
    return this.deps.analyzer.embedder;
  }

  /** Every face with what was asked; no face is an empty list, not an error. */
  async detect(input: ImageInput, options: FaceOptions = {}): Promise<DetectResult> {
    return this.analyze(input, options, false);
  }

  /** A template per face, in the same order as the faces. NO_FACE when there is none. */
  async templates(input: ImageInput, options: FaceOptions = {}): Promise<TemplatesResult> {
    return this.withTemplates(await this.analyze(input, options, true));
  }

  /**
   * The one place an input becomes bytes: a URL is fetched (under the SSRF rules) once, here.
   * Callers that need the bytes themselves (a photo hash) take them from here and pass them on.
   */
  async bytesOf(input: ImageInput): Promise<Uint8Array> {
    return 'bytes' in input ? input.bytes : this.deps.fetcher.fetch(input.url, input.limits);
  }

  /**
   * Detection with the decoded pixels the faces were found in, for a caller that also reads
   * them (photo scoring's occluder check). Boxes are in the photo's own pixels; the pixels may
   * be the photo downscaled under the analysis cap (`pixels.original` then gives its size).
   */
  async detectWithPixels(input: ImageInput, options: FaceOptions = {}): Promise<{ result: DetectResult; pixels: RgbImage }> {
    const pixels = await this.deps.decoder.decode(await this.bytesOf(input));
    return { result: await this.analyzeImage(pixels, options, false), pixels };
  }

  /**
   * Templates of a photo, with the decoded pixels the faces were found in, so a caller that
   * also crops the photo (thumbnails) does not decode it again.
   */
  async templatesOfPhoto(bytes: Uint8Array, options: FaceOptions = {}): Promise<{ result: TemplatesResult; pixels: RgbImage }> {
    const image = await this.deps.decoder.decode(bytes);
    return { result: this.withTemplates(await this.analyzeImage(image, options, true)), pixels: image };
  }

  /**
   * Templates with a small JPEG crop of each face (same order), cut from the pixels the faces
   * were found in. NO_FACE when there is none.
   */
  async templatesWithCrops(input: ImageInput, options: FaceOptions = {}): Promise<TemplatesResult & { crops: Uint8Array[] }> {
    const thumbnailer = this.deps.thumbnailer;
    if (!thumbnailer) throw new Error('FaceService built without a thumbnailer');
    const { result, pixels } = await this.templatesOfPhoto(await this.bytesOf(input), options);
    return { ...result, crops: await thumbnailer.thumbnails(pixels, result.faces.map((f) => f.box)) };
  }

  private withTemplates(r: DetectResult): TemplatesResult {
    if (r.faces.length === 0) throw new VisageError('NO_FACE', undefined, { param: 'image' });
    const key = modelKey(this.embedder);
    const templates = r.faces.map((f) => {
      if (!f.embedding) throw new Error('analyzer returned a face without an embedding');
      return encodeTemplate({ modelKey: key, vector: f.embedding });
    });
    return { ...r, templateModel: key, templates };
  }

  /** Compares two faces with the embedder's calibration; threshold is a preset or a similarity (default medium). */
  async verify(a: VerifySide, b: VerifySide, threshold?: string | number, options: FaceOptions = {}): Promise<VerifyResult> {
    const cal = this.embedder.calibration;
    // Resolve the threshold first: a bad parameter should not cost two analyses.
    const t = resolveThreshold(threshold, cal);
    const [ea, eb] = await Promise.all([this.sideVector(a, 'a', options), this.sideVector(b, 'b', options)]);
    const similarity = cosineToSimilarity(cosine(ea.vector, eb.vector), cal);
    return {
      similarity,
      threshold: t.threshold,
      preset: t.preset,
      match: similarity >= t.threshold,
      model: modelKey(this.embedder),
      boxes: { a: ea.box, b: eb.box },
    };
  }

  private async sideVector(side: VerifySide, name: string, options: FaceOptions): Promise<{ vector: Float32Array; box: Box | null }> {
    if ('template' in side) {
      const param = side.param ?? `template_${name}`;
      const t = decodeTemplate(side.template, param);
      assertSameModel(t, modelKey(this.embedder), param);
      return { vector: t.vector, box: null };
    }
    const param = side.param ?? ('url' in side.image ? `url_${name}` : `image_${name}`);
    const r = await withParam(param, () => this.analyze(side.image, { ...options, maxFaces: 1, onTooMany: 'largest', attributes: [], landmarks68: false }, true));
    const face = r.faces[0];
    if (!face?.embedding) throw new VisageError('NO_FACE', `No face was found in ${param}`, { param });
    return { vector: face.embedding, box: face.box };
  }

  /**
   * Decode (possibly downscaled under the analysis cap), analyse, and answer in the photo's own
   * pixels: users give min_face_size and read boxes in the pixels of the photo they sent.
   */
  private async analyze(input: ImageInput, options: FaceOptions, templates: boolean): Promise<DetectResult> {
    return this.analyzeImage(await this.deps.decoder.decode(await this.bytesOf(input)), options, templates);
  }

  private async analyzeImage(image: RgbImage, options: FaceOptions, templates: boolean): Promise<DetectResult> {
    const { sx, sy } = scaleOf(image);
    const scaled = sx !== 1 || sy !== 1;
    const maxFaces = options.maxFaces ?? this.defaults.maxFaces;
    const strict = options.onTooMany === 'error';
    const attributes = options.attributes ?? [];
    const landmarks68 = options.landmarks68 ?? false;
    const minFaceSize = options.minFaceSize ?? this.defaults.minFaceSize;
    assertRoomForAFace(image.original ?? image, minFaceSize);
    const analyzeOptions: AnalyzeOptions = {
      // A width limit in analysis pixels (fractional on purpose: rounding could let narrower faces through).
      minFaceSize: minFaceSize / sx,
      // Asking for one more than allowed is how we learn the limit was exceeded.
      maxFaces: strict ? maxFaces + 1 : maxFaces,
      scoreThreshold: options.scoreThreshold,
      landmarks68,
      attributes,
      templates,
    };
    const analysis = await this.deps.analyzer.analyze(image, analyzeOptions);
    let faces = analysis.faces;
    const dropped = { ...analysis.dropped };
    if (scaled) {
      // The filter restates the analyzer's own min_face_size check in original pixels, where
      // float rounding of w·sx could otherwise let a face a hair narrower through.
      const all = faces.length;
      faces = faces.map((f) => scaleFace(f, sx, sy)).filter((f) => boxWidth(f.box) >= minFaceSize);
      dropped.minFaceSize += all - faces.length;
    }
    if (strict && faces.length > maxFaces) {
      throw new VisageError('TOO_MANY_FACES', `The image holds more than ${maxFaces} faces`, { param: 'max_faces', maxFaces });
    }
    return {
      image: image.original ?? { width: image.width, height: image.height },
      faces: faces.slice(0, maxFaces),
      dropped,
      models: this.deps.analyzer.models,
      attributes,
      landmarks68,
    };
  }
}

/**
 * IMAGE_TOO_SMALL for an image no face can be reported from: narrower than min_face_size (a box
 * never outgrows the image), or under the smallest photo the detector has found a face in.
 */
function assertRoomForAFace(size: { width: number; height: number }, minFaceSize: number): void {
  const { width, height } = size;
  if (Math.min(width, height) < SMALLEST_FACE_IMAGE_SIDE) {
    throw new VisageError('IMAGE_TOO_SMALL', `The image is ${width}x${height} px; faces are found only in images of at least ${SMALLEST_FACE_IMAGE_SIDE} px on each side`, { param: 'image', width, height, minSide: SMALLEST_FACE_IMAGE_SIDE });
  }
  if (width < minFaceSize) {
    throw new VisageError('IMAGE_TOO_SMALL', `The image is ${width} px wide, narrower than min_face_size ${minFaceSize} px, so no face could be reported; send a larger image or a smaller min_face_size`, { param: 'image', width, height, minFaceSize });
  }
}

/** Names the side of a verification in errors that do not name a parameter yet. */
async function withParam<T>(param: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // Adapters name generic fields (`image`, `url`); on a verification side the side's own field is meant.
    if (e instanceof VisageError && (e.details.param === undefined || e.details.param === 'image' || e.details.param === 'url')) {
      throw new VisageError(e.code, e.message, { ...e.details, param }, { cause: e.cause });
    }
    throw e;
  }
}
