/** Messages between the benchmark and a peer engine's child process (bench/peers/peer-worker.ts). */

export type PeerName = 'face-api' | 'human';

/** A decoded photo as the parent wrote it: raw RGB, 3 bytes per pixel, row-major. */
export interface PhotoRef {
  rawPath: string;
  width: number;
  height: number;
}

/** One photo's stage timings in milliseconds; landmarks and embed have one entry per face. */
export interface StageTimes {
  detect: number;
  landmarks: number[];
  embed: number[];
  /** detect + every face's landmarks and template: the whole photo → templates. */
  total: number;
  faces: number;
}

export type PeerRequest =
  | { type: 'init'; engine: PeerName; photos: PhotoRef[]; warmup: number }
  | { type: 'run'; index: number }
  | { type: 'stages'; indices: number[] }
  | { type: 'cpu' }
  | { type: 'exit' };

export type PeerReply =
  | { type: 'ready'; version: string; config: string; backend: string }
  | { type: 'done'; index: number; faces: number; ms: number }
  | { type: 'stages'; times: StageTimes[] }
  /** CPU time the process has used so far (user + system, every thread), ms. */
  | { type: 'cpu'; ms: number }
  | { type: 'error'; message: string };
