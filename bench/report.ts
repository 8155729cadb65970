/** Summaries and the printed tables of the photo benchmark. */
import { median, percentile } from '../src/eval/stats.js';
import type { StageTimes } from './peer-protocol.js';

export interface Dist {
  p50: number;
  p99: number;
  n: number;
}

export function dist(xs: number[]): Dist {
  return { p50: round(median(xs)), p99: round(percentile(xs, 0.99)), n: xs.length };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface StageSummary {
  detect: Dist;
  landmarksPerFace: Dist;
  embedPerFace: Dist;
  /** Detect plus every face's landmarks and template: one photo → its templates. */
  photoToTemplates: Dist;
  faces: number;
  /** Each photo in set order: detect and whole-photo ms, faces. */
  perPhoto: Array<{ detect: number; total: number; faces: number }>;
}

export function summariseStages(times: StageTimes[]): StageSummary {
  return {
    detect: dist(times.map((t) => t.detect)),
    landmarksPerFace: dist(times.flatMap((t) => t.landmarks)),
    embedPerFace: dist(times.flatMap((t) => t.embed)),
    photoToTemplates: dist(times.map((t) => t.total)),
    faces: times.reduce((a, t) => a + t.faces, 0),
    perPhoto: times.map((t) => ({ detect: round(t.detect, 1), total: round(t.total, 1), faces: t.faces })),
  };
}

export interface Throughput {
  processes: number;
  /** CPU time (user + system, all threads of the engine's processes) per photo, ms. */
  cpuMsPerPhoto: number;
  passes: number;
  photos: number;
  faces: number;
  seconds: number;
  photosPerSecond: number;
  facesPerSecond: number;
}

export interface EngineResult {
  engine: string;
  version: string;
  config: string;
  throughput?: Throughput;
  stages?: StageSummary;
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => pad(cell, widths[c]!, c > 0)).join('  ')).join('\n');
}

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const times = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(1)}x`);

export interface Ratios {
  [peer: string]: {
    /** Visage ÷ peer: how many times more Visage does in the same time. */
    photosPerSecond?: number;
    facesPerSecond?: number;
    /** peer ÷ Visage CPU time per photo. */
    cpuPerPhoto?: number;
    /** peer p50 ÷ Visage p50: how many times less time Visage takes. */
    latencyP50?: Partial<Record<'detect' | 'landmarksPerFace' | 'embedPerFace' | 'photoToTemplates', number>>;
  };
}

export function ratios(results: EngineResult[]): Ratios {
  const v = results.find((r) => r.engine === 'visage');
  const out: Ratios = {};
  if (!v) return out;
  for (const r of results) {
    if (r === v) continue;
    const entry: Ratios[string] = {};
    if (v.throughput && r.throughput) {
      entry.photosPerSecond = round(v.throughput.photosPerSecond / r.throughput.photosPerSecond);
      entry.facesPerSecond = round(v.throughput.facesPerSecond / r.throughput.facesPerSecond);
      entry.cpuPerPhoto = round(r.throughput.cpuMsPerPhoto / v.throughput.cpuMsPerPhoto);
    }
    if (v.stages && r.stages) {
      const keys = ['detect', 'landmarksPerFace', 'embedPerFace', 'photoToTemplates'] as const;
      entry.latencyP50 = Object.fromEntries(keys.map((k) => [k, round(r.stages![k].p50 / v.stages![k].p50)]));
    }
    out[r.engine] = entry;
  }
  return out;
}

export function printReport(results: EngineResult[], decode: Dist | undefined, log: (s: string) => void): void {
  const v = results.find((r) => r.engine === 'visage');
  const withT = results.filter((r) => r.throughput);
  if (withT.length) {
    log('\nThroughput, photo → templates (decoded pixels in, all processes busy):');
    const rows = [['engine', 'processes', 'passes', 'photos', 'faces', 'seconds', 'photos/s', 'faces/s', 'CPU ms/photo', 'Visage/peer photos/s', 'faces/s', 'peer/Visage CPU']];
    for (const r of withT) {
      const t = r.throughput!;
      const isV = r === v;
      rows.push([
        r.engine,
        String(t.processes),
        String(t.passes),
        String(t.photos),
        String(t.faces),
        fmt(t.seconds),
        fmt(t.photosPerSecond, 2),
        fmt(t.facesPerSecond, 1),
        fmt(t.cpuMsPerPhoto, 0),
        isV || !v?.throughput ? '' : times(v.throughput.photosPerSecond / t.photosPerSecond),
        isV || !v?.throughput ? '' : times(v.throughput.facesPerSecond / t.facesPerSecond),
        isV || !v?.throughput ? '' : times(t.cpuMsPerPhoto / v.throughput.cpuMsPerPhoto),
      ]);
    }
    log(table(rows));
  }
  const withS = results.filter((r) => r.stages);
  if (withS.length) {
    log('\nLatency on one thread, ms, p50 / p99 (ratio: peer p50 / Visage p50):');
    const head = ['stage'];
    for (const r of withS) head.push(r.engine, ...(r === v || !v?.stages ? [] : ['ratio']));
    const rows = [head];
    if (decode) rows.push(['decode (sharp, shared)', `${fmt(decode.p50)} / ${fmt(decode.p99)}`, ...Array(head.length - 2).fill('')]);
    const keys = [
      ['detect', 'detect'],
      ['landmarksPerFace', 'landmarks, per face'],
      ['embedPerFace', 'template, per face'],
      ['photoToTemplates', 'photo → templates'],
    ] as const;
    for (const [k, label] of keys) {
      const row: string[] = [label];
      for (const r of withS) {
        const d = r.stages![k];
        row.push(`${fmt(d.p50)} / ${fmt(d.p99)}`);
        if (r !== v && v?.stages) row.push(times(d.p50 / v.stages[k].p50));
      }
      rows.push(row);
    }
    const faces = ['faces found'];
    for (const r of withS) faces.push(String(r.stages!.faces), ...(r === v || !v?.stages ? [] : ['']));
    rows.push(faces);
    log(table(rows));
  }
}
