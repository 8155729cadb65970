/** Metadata every model carries, so callers never guess at inputs, spaces or thresholds. */
import type { SimilarityCalibration } from './similarity.rules.js';

export interface ModelInfo {
  /** Stable id, e.g. `fr-arcface-512`. */
  id: string;
  /** Bumped whenever outputs change (weights, preprocessing, alignment): templates carry it. */
  version: string;
  /** npm package (name@version) and file inside it the weights come from. */
  source: { package: string; file: string; licence: string };
  /** Input tensor shape without batch, e.g. [3, 112, 112], and how pixels are normalised. */
  input: { shape: number[]; colour: 'RGB' | 'BGR' | 'GREY'; normalisation: string };
}

export interface EmbedderInfo extends ModelInfo {
  dim: number;
  metric: 'cosine';
  calibration: SimilarityCalibration;
}

export function modelKey(m: Pick<ModelInfo, 'id' | 'version'>): string {
  return `${m.id}@${m.version}`;
}
