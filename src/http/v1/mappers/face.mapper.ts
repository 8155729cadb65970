/** The one place AnalyzedFace and the use-case results become snake_case JSON. */
import type { AnalyzedFace, AttributeName, Box, DroppedFaces, FaceAttributes, Point } from '../../../domain/face.model.js';
import type { ModelInfo } from '../../../domain/model.info.js';
import type { DetectResult, TemplatesResult, VerifyResult } from '../../../core/index.js';

const r = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
/** Pixel positions: a tenth of a pixel is more than any detector's accuracy. */
const px = (v: number) => r(v, 1);
const pt = (p: Point) => ({ x: px(p.x), y: px(p.y) });
const prob = (v: number) => r(v, 4);

export const mapBox = (b: Box) => ({ x1: px(b.x1), y1: px(b.y1), x2: px(b.x2), y2: px(b.y2) });

function mapAttributes(a: FaceAttributes, asked: ReadonlySet<AttributeName>) {
  const out: Record<string, unknown> = {};
  if (asked.has('age') && a.age !== undefined) out.age = r(a.age, 1);
  if (asked.has('gender') && a.gender) out.gender = { label: a.gender.label, confidence: prob(a.gender.confidence) };
  if (asked.has('emotion') && a.emotion) {
    out.emotion = {
      dominant: a.emotion.dominant,
      probabilities: Object.fromEntries(Object.entries(a.emotion.probabilities).map(([k, v]) => [k, prob(v)])),
      mood: r(a.emotion.mood, 1),
    };
  }
  if (asked.has('quality') && a.quality) {
    const q = a.quality;
    out.quality = {
      score: prob(q.score),
      sharpness: prob(q.sharpness),
      exposure: prob(q.exposure),
      size: px(q.size),
      frontalness: prob(q.frontalness),
      reasons: q.reasons,
    };
  }
  if (asked.has('eyes') && a.eyes) {
    out.eyes = {
      left: a.eyes.left,
      right: a.eyes.right,
      left_open_probability: prob(a.eyes.leftOpenProbability),
      right_open_probability: prob(a.eyes.rightOpenProbability),
    };
  }
  if (asked.has('liveness') && a.liveness) out.liveness = { score: prob(a.liveness.score), label: a.liveness.label };
  if (asked.has('clothing_colors') && a.clothingColors) out.clothing_colors = a.clothingColors;
  return out;
}

export function mapFace(f: AnalyzedFace, opts: { attributes: readonly AttributeName[]; landmarks68: boolean; template?: string }) {
  const [le, re, nose, ml, mr] = f.landmarks5;
  const asked = new Set(opts.attributes);
  return {
    box: mapBox(f.box),
    score: prob(f.score),
    landmarks: { left_eye: pt(le), right_eye: pt(re), nose: pt(nose), mouth_left: pt(ml), mouth_right: pt(mr) },
    ...(opts.landmarks68 && f.landmarks68 ? { landmarks68: f.landmarks68.map(pt) } : {}),
    // Pose is always computed (quality and alignment need it), so it is always returned.
    pose: { yaw: r(f.pose.yaw, 1), pitch: r(f.pose.pitch, 1), roll: r(f.pose.roll, 1) },
    ...(asked.size > 0 ? { attributes: mapAttributes(f.attributes, asked) } : {}),
    ...(opts.template ? { template: opts.template } : {}),
  };
}

const mapModels = (models: ModelInfo[]) => models.map((m) => ({ id: m.id, version: m.version }));

/** How many faces each filter kept out of the answer (also for search answers). */
export const mapDropped = (d: DroppedFaces) => ({ min_face_size: d.minFaceSize, score_threshold: d.scoreThreshold });

export function mapDetect(res: DetectResult) {
  return {
    image: res.image,
    face_count: res.faces.length,
    faces: res.faces.map((f) => mapFace(f, res)),
    dropped: mapDropped(res.dropped),
    models: mapModels(res.models),
  };
}

export function mapTemplates(res: TemplatesResult) {
  return {
    image: res.image,
    face_count: res.faces.length,
    faces: res.faces.map((f, i) => mapFace(f, { ...res, template: res.templates[i] })),
    dropped: mapDropped(res.dropped),
    models: mapModels(res.models),
    template_model: res.templateModel,
  };
}

export function mapVerify(res: VerifyResult) {
  return {
    similarity: prob(res.similarity),
    threshold: prob(res.threshold),
    ...(res.preset ? { preset: res.preset } : {}),
    match: res.match,
    model: res.model,
    faces: { a: res.boxes.a ? mapBox(res.boxes.a) : null, b: res.boxes.b ? mapBox(res.boxes.b) : null },
  };
}
