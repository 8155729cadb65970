/**
 * What an analyzer can tell an operator about its load, read by the composition root for
 * /metrics. Optional: an analyzer without a pool (the in-thread pipeline, test fakes) has none.
 */
export interface AnalyzerStats {
  /** Worker threads running (replaced crashed ones included once they are up). */
  workers: number;
  /** Workers holding at least one request now. */
  busyWorkers: number;
  /** Requests waiting for a worker (the bounded queue past which OVERLOADED is answered). */
  queued: number;
  /** Seconds workers have held at least one request, summed over workers, since start. */
  busySeconds: number;
  /**
   * Requests the workers answered since start, and the seconds from a worker taking each to its
   * answer, summed (the whole pipeline per image, queue wait excluded).
   */
  analyses: number;
  analysisSeconds: number;
  /** Per model role (detector, landmarker, embedder, age_gender, …): images it ran on, seconds spent, summed. */
  models: Record<string, { images: number; seconds: number }>;
}

export interface AnalyzerStatsSource {
  stats(): AnalyzerStats;
}

export const hasStats = (a: unknown): a is AnalyzerStatsSource => typeof (a as Partial<AnalyzerStatsSource> | null)?.stats === 'function';
