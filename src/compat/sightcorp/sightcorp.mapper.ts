/**
 * A detection result in Sightcorp F.A.C.E.'s shape and scales. Every number is an integer, as in
 * the document's example; docs/compat/sightcorp.md states each derivation.
 */
import type { DetectResult } from '../../core/index.js';
import type { AnalyzedFace, Emotion, Point } from '../../domain/face.model.js';

const int = (v: number) => {
  const n = Math.round(v);
  return n === 0 ? 0 : n; // no -0
};
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const pt = (p: Point) => ({ x: int(p.x), y: int(p.y) });
const percent = (p: number) => clamp(int(p * 100), 0, 100);

/** Sightcorp's six emotions and the Visage emotion each one reads (Visage's `neutral` has no counterpart). */
const EMOTIONS: ReadonlyArray<readonly [string, Emotion]> = [
  ['happiness', 'happy'],
  ['surprise', 'surprise'],
  ['anger', 'angry'],
  ['disgust', 'disgust'],
  ['fear', 'fear'],
  ['sadness', 'sad'],
];

/**
 * −100 (certainly male) … +100 (certainly female): 100 × (P(female) − P(male)), whose sign is
 * the sex the classifier chose (the document's example shows the "man" banner when gender < 0).
 * A coin toss that rounds to 0 keeps the chosen label's sign (±1).
 */
export function sightcorpGender(g: { label: 'male' | 'female'; confidence: number } | undefined): number {
  if (!g) return 0;
  const pFemale = g.label === 'female' ? g.confidence : 1 - g.confidence;
  const v = clamp(int(100 * (2 * pFemale - 1)), -100, 100);
  if (v === 0) return g.label === 'male' ? -1 : 1;
  return g.label === 'male' ? -Math.abs(v) : Math.abs(v);
}

export function mapPerson(f: AnalyzedFace) {
  // landmarks5 is in image order (image-left eye first); Sightcorp's lefteye is the person's
  // own left eye, the one on the image's right (x 800 against 562 in the document's example).
  const [imageLeftEye, imageRightEye, nose, mouthImageLeft, mouthImageRight] = f.landmarks5;
  const a = f.attributes;
  const probs = a.emotion?.probabilities;
  const lefteye = pt(imageRightEye);
  const righteye = pt(imageLeftEye);
  const mouth = pt({ x: (mouthImageLeft.x + mouthImageRight.x) / 2, y: (mouthImageLeft.y + mouthImageRight.y) / 2 });
  return {
    age: Math.max(0, int(a.age ?? 0)),
    gender: sightcorpGender(a.gender),
    mood: clamp(int(a.emotion?.mood ?? 50), 0, 100),
    position: { x: int(f.box.x1), y: int(f.box.y1), w: int(f.box.x2 - f.box.x1), h: int(f.box.y2 - f.box.y1) },
    rotation: { yaw: int(f.pose.yaw), pitch: int(f.pose.pitch), roll: int(f.pose.roll) },
    landmarks: { lefteye, righteye, maskpoints: [lefteye, righteye, pt(nose), mouth] },
    clothingcolors: a.clothingColors ?? [],
    // No `ethnicity`: Visage does not infer race (EU AI Act Art. 5(1)(g)).
    emotions: Object.fromEntries(EMOTIONS.map(([name, ours]) => [name, percent(probs?.[ours] ?? 0)])) as Record<(typeof EMOTIONS)[number][0], number>,
  };
}

export function mapDetectResponse(res: DetectResult) {
  return {
    error_code: 0 as const,
    description: '',
    img_size: { w: res.image.width, h: res.image.height },
    people: res.faces.map(mapPerson),
  };
}
