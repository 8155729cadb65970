/**
 * FaceCheck.ID's answer shapes: every `BrowserJsonResponse` key is present, null where unset;
 * `Search_Results` and `SearchItem` as the OpenAPI document names them.
 */
import type { SearchView } from '../../core/index.js';

export interface BrowserJsonResponse {
  code: string | null;
  error: string | null;
  id_search: string | null;
  input: { base64: string | null; id_pic: string | null; svg_anim: string | null; url_source: string | null }[] | null;
  message: string | null;
  output: Record<string, unknown> | null;
  progress: number | null;
}

export const empty = (): BrowserJsonResponse => ({ code: null, error: null, id_search: null, input: null, message: null, output: null, progress: null });

export const errorAnswer = (e: { error: string; code: string }, idSearch: string | null = null): BrowserJsonResponse => ({ ...empty(), ...e, id_search: idSearch });

const inputOf = (v: SearchView) => v.previews.map((p, i) => ({ base64: p, id_pic: v.photoIds[i] ?? null, svg_anim: null, url_source: null }));

export function uploadAnswer(v: SearchView): BrowserJsonResponse {
  return { ...empty(), id_search: v.id, input: inputOf(v), message: `${v.previews.length} image(s) uploaded.` };
}

function message(v: SearchView): string {
  switch (v.state) {
    case 'uploaded':
      return 'Uploaded. Not searched yet.';
    case 'queued':
      return `Waiting in queue. Position ${v.position ?? 1}.`;
    case 'running':
      return v.stage === 'detecting' ? 'Detecting faces ...' : v.stage === 'ranking' ? 'Ranking results ...' : 'Searching ...';
    case 'succeeded':
      return 'Search completed.';
    case 'cancelled':
      return 'Search cancelled.';
    default:
      return 'Search failed.';
  }
}

export function searchAnswer(v: SearchView): BrowserJsonResponse {
  const base = { ...empty(), id_search: v.id, input: inputOf(v), message: message(v), progress: v.progress };
  if (v.state === 'failed' || v.state === 'cancelled') {
    return { ...base, error: v.error?.message ?? message(v), code: v.state === 'cancelled' ? 'CANCELLED' : (v.error?.code === 'NO_FACE' ? 'NO_FACE_FOUND' : 'EXCEPTION') };
  }
  if (v.state !== 'succeeded' || !v.result) return base;
  const r = v.result;
  return {
    ...base,
    progress: 100,
    output: {
      demo: r.demo,
      face_per_sec: r.facesPerSecond,
      freeRam: null,
      images_in_bundle: r.photos,
      items: r.items.map((h) => ({ base64: h.thumbnail, group: h.group, guid: h.guid, index: h.faceIndex, indexDB: h.faceId, score: h.score, url: h.url })),
      max_score: r.maxScore,
      performance: null,
      searchedFaces: r.searchedFaces,
      tookSeconds: r.tookSeconds,
      tookSecondsDownload: null,
      tookSecondsQueue: r.tookSecondsQueue,
    },
  };
}
