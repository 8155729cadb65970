/**
 * Lets the server listen (and answer /health, /ready) while the models load: until the real
 * analyzer is set, every use answers NOT_READY.
 */
import { VisageError } from '../domain/error.registry.js';
import type { RgbImage } from '../domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../domain/model.info.js';
import { hasStats, type AnalyzerStats } from '../ports/analyzer-stats.port.js';
import type { AnalyzeOptions, FaceAnalysis, FaceAnalyzer } from '../ports/face-analyzer.port.js';

export class DeferredAnalyzer implements FaceAnalyzer {
  private inner: FaceAnalyzer | undefined;

  set(analyzer: FaceAnalyzer): void {
    this.inner = analyzer;
  }

  get ready(): boolean {
    return this.inner !== undefined;
  }

  private get target(): FaceAnalyzer {
    if (!this.inner) throw new VisageError('NOT_READY');
    return this.inner;
  }

  analyze(image: RgbImage, options: AnalyzeOptions): Promise<FaceAnalysis> {
    return this.target.analyze(image, options);
  }

  get embedder(): EmbedderInfo {
    return this.target.embedder;
  }

  get models(): ModelInfo[] {
    return this.target.models;
  }

  /** The real analyzer's load (null until it is set, or when it keeps none). */
  stats(): AnalyzerStats | null {
    return hasStats(this.inner) ? this.inner.stats() : null;
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }
}
