/**
 * GET /metrics in Prometheus text format: requests by route and status, latency histograms,
 * refusals by error code, the inference pool's queue and utilisation, faces per gallery and
 * credits spent. Counts only: no image, template, key, query string or body reaches a label
 * (routes are Fastify's patterns, `/v1/galleries/:gallery`, never the URL asked for).
 *
 * Access (config `metrics`): `key` needs a key with the `metrics` or `admin` scope, sent like
 * any native key (Bearer or x-api-key); `open` serves it to anyone; `off` mounts nothing.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { apiKeyHeaderExtractor, bearerExtractor } from './auth-extractors.js';
import { registerAuth } from './auth.plugin.js';
import { errorResponses } from './error.schema.js';
import { errorCodeOf } from './request-log.plugin.js';
import type { AccountDeps } from './surface.js';

export type MetricsMode = 'off' | 'open' | 'key';

/** The pool's counts (ports/analyzer-stats.port.ts has their meaning; a surface may not import ports). */
export interface PoolStats {
  workers: number;
  busyWorkers: number;
  queued: number;
  busySeconds: number;
  analyses: number;
  analysisSeconds: number;
  models: Record<string, { images: number; seconds: number }>;
}

/** What the composition root reads for the gauges; each is optional (the test app has no pool). */
export interface MetricsSources {
  /** The worker pool's load; null while the models load or without a pool. */
  analyzer?: () => PoolStats | null;
  /** Faces per gallery, read on each scrape (one query per account). */
  galleries?: () => Promise<Array<{ account: string; gallery: string; faces: number }>>;
  /** Credits spent in the current period, per account. */
  credits?: () => Promise<Array<{ account: string; period: string; spent: number }>>;
}

/** Requests that match no route share one label, so scanners cannot grow the series without bound. */
const UNMATCHED = '(unmatched)';

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly refusals: Counter<'code' | 'status'>;

  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'visage_http_requests_total', help: 'HTTP requests answered, by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'visage_http_request_duration_seconds',
      help: 'Time from the request to its answer, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.refusals = new Counter({ name: 'visage_refusals_total', help: 'Error answers by registry code (NO_FACE, RATE_LIMITED, …)', labelNames: ['code', 'status'], registers });

    const pool = sources.analyzer;
    if (pool) {
      const gauge = (name: string, help: string, read: (s: PoolStats) => number) =>
        new Gauge({
          name,
          help,
          registers,
          collect() {
            const s = pool();
            if (s) this.set(read(s));
          },
        });
      const counter = (name: string, help: string, read: (s: PoolStats) => number) =>
        new Counter({
          name,
          help,
          registers,
          collect() {
            const s = pool();
            if (!s) return;
            this.reset();
            this.inc(read(s));
          },
        });
      gauge('visage_inference_queue_depth', 'Images waiting for an inference worker (OVERLOADED past the queue limit)', (s) => s.queued);
      gauge('visage_inference_workers', 'Inference worker threads running', (s) => s.workers);
      gauge('visage_inference_busy_workers', 'Inference workers holding a request now', (s) => s.busyWorkers);
      counter('visage_inference_busy_seconds_total', 'Worker-seconds spent holding requests; rate() / workers = utilisation', (s) => s.busySeconds);
      counter('visage_analysis_total', 'Images the inference workers answered', (s) => s.analyses);
      counter('visage_analysis_seconds_total', 'Seconds from a worker taking an image to its answer (whole pipeline), summed', (s) => s.analysisSeconds);
      // Per model: rate(seconds) / rate(images) is a model's mean latency per image.
      const perModel = (name: string, help: string, read: (t: { images: number; seconds: number }) => number) =>
        new Counter({
          name,
          help,
          labelNames: ['model'],
          registers,
          collect() {
            const s = pool();
            if (!s) return;
            this.reset();
            for (const [model, t] of Object.entries(s.models)) this.inc({ model }, read(t));
          },
        });
      perModel('visage_model_seconds_total', 'Seconds spent in each model (detector, landmarker, embedder, age_gender, …), summed over images', (t) => t.seconds);
      perModel('visage_model_images_total', 'Images each model ran on', (t) => t.images);
    }
    const galleries = sources.galleries;
    if (galleries) {
      new Gauge({
        name: 'visage_gallery_faces',
        help: 'Faces enrolled per gallery',
        labelNames: ['account', 'gallery'],
        registers,
        async collect() {
          const rows = await galleries();
          this.reset();
          for (const r of rows) this.set({ account: r.account, gallery: r.gallery }, r.faces);
        },
      });
    }
    const credits = sources.credits;
    if (credits) {
      new Gauge({
        name: 'visage_credits_spent',
        help: 'Credits spent in the current period (UTC month), per account',
        labelNames: ['account', 'period'],
        registers,
        async collect() {
          const rows = await credits();
          this.reset();
          for (const r of rows) this.set({ account: r.account, period: r.period }, r.spent);
        },
      });
    }
  }

  /** Counts every answer on the root instance (all surfaces), before any route is added. */
  observe(app: FastifyInstance): void {
    // The error plugin's body carries the registry code; only error answers are looked at.
    app.addHook('onSend', async (_req, reply, payload) => {
      const code = errorCodeOf(reply, payload);
      if (code) this.refusals.inc({ code, status: String(reply.statusCode) });
      return payload;
    });
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? UNMATCHED;
      const method = req.method;
      this.requests.inc({ method, route, status: String(reply.statusCode) });
      this.duration.observe({ method, route }, reply.elapsedTime / 1000);
    });
  }
}

export interface MetricsRouteOptions {
  mode: MetricsMode;
  metrics: Metrics;
  /** Without accounts the whole app is open, and so is /metrics in `key` mode. */
  accounts?: AccountDeps;
}

/** Mounts GET /metrics as the mode says. */
export async function registerMetricsRoute(app: FastifyInstance, o: MetricsRouteOptions): Promise<void> {
  if (o.mode === 'off') return;
  await app.register(async (scope) => {
    if (o.mode === 'key' && o.accounts) registerAuth(scope, { ...o.accounts, extractors: [bearerExtractor, apiKeyHeaderExtractor] });
    scope.get(
      '/metrics',
      {
        config: { auth: { scope: 'metrics' } },
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          description:
            'Prometheus text format. With VISAGE_METRICS=key (the default) it needs a key with the `metrics` or `admin` scope; ' +
            'VISAGE_METRICS=open serves it without one, off not at all.',
          ...(o.mode === 'open' || !o.accounts ? { security: [] } : {}),
          response: {
            200: { description: 'Prometheus exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...(o.mode === 'key' && o.accounts ? errorResponses(401, 403, 429) : {}),
          },
        },
      },
      async (_req, reply) => {
        const text = await o.metrics.registry.metrics();
        return reply.type(o.metrics.registry.contentType).send(text);
      },
    );
  });
}
