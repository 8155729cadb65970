/** Pure face types shared by every layer. Coordinates are original-image pixels after EXIF rotation. */

export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box, x1,y1 top-left and x2,y2 bottom-right, in pixels. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Decoded, upright, 8-bit RGB pixels, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
  /**
   * The upright photo's own size when it was decoded downscaled (analysis resolution cap);
   * absent when these are the photo's own pixels.
   */
  original?: { width: number; height: number };
}

/** 5 points in the ArcFace order: left eye, right eye, nose tip, left mouth corner, right mouth corner (as seen in the image). */
export type Landmarks5 = [Point, Point, Point, Point, Point];

export interface HeadPose {
  /** Degrees; positive yaw turns to the image's right, positive pitch looks up, positive roll tilts clockwise. */
  yaw: number;
  pitch: number;
  roll: number;
}

export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export interface EmotionEstimate {
  dominant: Emotion;
  probabilities: Record<Emotion, number>;
  /** 0 (very negative) to 100 (very positive). */
  mood: number;
}

export interface GenderEstimate {
  label: 'male' | 'female';
  confidence: number;
}

export interface QualityEstimate {
  /** 0–1 overall usefulness of the face for recognition. */
  score: number;
  sharpness: number;
  exposure: number;
  /** Face width in pixels. */
  size: number;
  /** 0–1, 1 = looking straight at the camera. */
  frontalness: number;
  /** Machine-readable reasons the score is low, e.g. `blurry`, `too_small`, `too_dark`, `turned`. */
  reasons: string[];
}

export interface EyesEstimate {
  left: 'open' | 'closed';
  right: 'open' | 'closed';
  leftOpenProbability: number;
  rightOpenProbability: number;
}

export interface LivenessEstimate {
  score: number;
  label: 'real' | 'spoof';
}

export const ATTRIBUTES = ['age', 'gender', 'emotion', 'pose', 'quality', 'eyes', 'liveness', 'clothing_colors'] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];

export interface FaceAttributes {
  age?: number;
  gender?: GenderEstimate;
  emotion?: EmotionEstimate;
  quality?: QualityEstimate;
  eyes?: EyesEstimate;
  liveness?: LivenessEstimate;
  clothingColors?: string[];
}

/** One face found in an image, with whatever was asked for. */
export interface AnalyzedFace {
  box: Box;
  score: number;
  landmarks5: Landmarks5;
  landmarks68?: Point[];
  pose: HeadPose;
  attributes: FaceAttributes;
  /** L2-normalised embedding, present when templates were asked for. */
  embedding?: Float32Array;
}

/**
 * Candidates a filter removed from an answer, each counted under one filter: `minFaceSize`
 * those that passed the score threshold but were narrower than min_face_size; `scoreThreshold`
 * those as wide as min_face_size that scored below the threshold (from the detector's counting
 * floor up). Lowering that one filter alone would bring them back.
 */
export interface DroppedFaces {
  minFaceSize: number;
  scoreThreshold: number;
}

export const noneDropped = (): DroppedFaces => ({ minFaceSize: 0, scoreThreshold: 0 });

export function boxWidth(b: Box): number {
  return b.x2 - b.x1;
}

export function boxHeight(b: Box): number {
  return b.y2 - b.y1;
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Intersection over union of two boxes, 0 when they do not overlap. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}
