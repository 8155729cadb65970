// Placeholder: the attributes work replaces this with the real dominant-colour estimate.
import type { Box, RgbImage } from '../domain/face.model.js';

export function dominantClothingColours(_image: RgbImage, _face: Box): string[] {
  return [];
}
