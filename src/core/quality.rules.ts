// Placeholder: the attributes work replaces this with the real quality assessment.
import type { HeadPose, QualityEstimate, RgbImage } from '../domain/face.model.js';
import type { LocatedFace } from '../ports/face-models.port.js';

export function assessQuality(_image: RgbImage, face: LocatedFace, _pose: HeadPose): QualityEstimate {
  const size = face.box.x2 - face.box.x1;
  return { score: 0, sharpness: 0, exposure: 0, size, frontalness: 0, reasons: [] };
}
