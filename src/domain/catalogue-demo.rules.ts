/**
 * A small demo catalogue, made deterministically from a labelled photo list (LFW's LABELS and
 * gender.csv): the first `size` people (by name) with at least two photos become models, their
 * first photo in the catalogue and their second held out as a probe for look-alike search.
 * Agencies, names, measurements and reviews are MADE UP (from a hash of the person's name), and
 * every agency title and model name says so: they describe no real person or agency.
 */
import type { Gender } from './catalogue.model.js';

export interface DemoCatalogue {
  agencies: { external_id: string; title: string; mother: boolean; genders: Gender[]; languages: string[] }[];
  models: ({ external_id: string; agency: string; name: string; gender: Gender; height: number; bust: number; waist: number; hips: number; shoes: number; eyes: string; hair: string; photos: string[] })[];
  reviews: { agency: string; author: 'agent' | 'model'; type: 'neutral' | 'positive' | 'negative'; text: string; date: string }[];
  /** Held-out photos (not in the catalogue): another photo of each model's person. */
  probes: { model: string; photo: string }[];
}

/** FNV-1a: a small stable hash, so the same list always gives the same catalogue. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const EYES = ['blue', 'brown', 'green', 'grey', 'hazel'];
const HAIR = ['black', 'blond', 'brown', 'red', 'grey'];

export function demoCatalogue(rows: { path: string; identity: string }[], genders: Map<string, Gender>, size = 12): DemoCatalogue {
  const byPerson = new Map<string, string[]>();
  for (const r of rows) byPerson.set(r.identity, [...(byPerson.get(r.identity) ?? []), r.path]);
  const people = [...byPerson.entries()].filter(([, p]) => p.length >= 2).sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, size);
  const agencies: DemoCatalogue['agencies'] = [
    { external_id: 'demo-a1', title: 'Northwind Models (made-up demo agency)', mother: true, genders: ['female', 'male'], languages: ['en', 'fr'] },
    { external_id: 'demo-a2', title: 'Harbour Faces (made-up demo agency)', mother: false, genders: ['female', 'male'], languages: ['en', 'de'] },
    { external_id: 'demo-a3', title: 'Atelier Nine (made-up demo agency)', mother: false, genders: ['female', 'male'], languages: ['it'] },
  ];
  const models = people.map(([person, photos], i) => {
    const h = hash(person);
    const g: Gender = genders.get(photos[0]!) ?? (h % 2 ? 'male' : 'female');
    const male = g === 'male';
    return {
      external_id: `demo-m${i + 1}`,
      agency: agencies[i % agencies.length]!.external_id,
      name: `Demo model ${i + 1} (made-up measurements)`,
      gender: g,
      height: (male ? 178 : 168) + (h % 14),
      bust: (male ? 94 : 80) + ((h >>> 4) % 10),
      waist: (male ? 76 : 58) + ((h >>> 8) % 8),
      hips: (male ? 92 : 86) + ((h >>> 12) % 8),
      shoes: (male ? 42 : 37) + ((h >>> 16) % 4),
      eyes: EYES[(h >>> 20) % EYES.length]!,
      hair: HAIR[(h >>> 24) % HAIR.length]!,
      photos: [photos[0]!],
    };
  });
  const reviews: DemoCatalogue['reviews'] = agencies.flatMap((a, i) => [
    { agency: a.external_id, author: 'agent' as const, type: (['positive', 'neutral', 'negative'] as const)[i % 3]!, text: 'Made-up demo review.', date: `2024-0${i + 1}-15` },
    { agency: a.external_id, author: 'model' as const, type: 'positive' as const, text: 'Made-up demo review.', date: `2024-0${i + 4}-01` },
  ]);
  const probes = people.map(([, photos], i) => ({ model: `demo-m${i + 1}`, photo: photos[1]! }));
  return { agencies, models, reviews, probes };
}
