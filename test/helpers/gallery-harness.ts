/** A gallery service over a real store and index in a data dir, with a synthetic 32-d "model". */
import { join } from 'node:path';
import { SqliteFaceStore } from '../../src/adapters/store/sqlite/sqlite-face.store.js';
import { UsearchIndexProvider } from '../../src/adapters/index/usearch-vector.index.js';
import { InProcessGalleryLock } from '../../src/adapters/lock/in-process-gallery.lock.js';
import { FaceIndexRegistry } from '../../src/core/face-index.registry.js';
import { GalleryService, type Templater } from '../../src/core/gallery.service.js';
import type { EmbedderInfo } from '../../src/domain/model.info.js';
import { encodeTemplate } from '../../src/domain/template.codec.js';

export const DIM = 32;
export const SYNTHETIC_EMBEDDER: EmbedderInfo = {
  id: 'synthetic',
  version: '1',
  source: { package: 'none', file: 'none', licence: 'MIT' },
  input: { shape: [3, 112, 112], colour: 'RGB', normalisation: 'none' },
  dim: DIM,
  metric: 'cosine',
  calibration: { c0: 0.3, c1: 6, cosineAt: { strict: 0.6, medium: 0.45, low: 0.3 } },
};

export const tpl = (v: Float32Array, key = 'synthetic@1') => encodeTemplate({ modelKey: key, vector: v });

/** Template-only use never analyses images. */
const noImages = async (): Promise<never> => {
  throw new Error('no images here');
};
export const templateOnly: Templater = { embedder: SYNTHETIC_EMBEDDER, templates: noImages, templatesOfPhoto: noImages, bytesOf: noImages };

export function openService(dataDir: string, opts: { saveDelayMs?: number; exactLimit?: number; faces?: Templater } = {}) {
  const logs: string[] = [];
  const log = { info: (_o: unknown, m: string) => void logs.push(m), warn: (_o: unknown, m: string) => void logs.push(m) };
  const store = SqliteFaceStore.open(join(dataDir, 'visage.db'));
  const provider = new UsearchIndexProvider(join(dataDir, 'index'), { exactLimit: opts.exactLimit });
  const indexes = new FaceIndexRegistry(store, store, provider, log, { saveDelayMs: opts.saveDelayMs ?? 10 });
  const svc = new GalleryService({ store, indexes, lock: new InProcessGalleryLock(), faces: opts.faces ?? templateOnly });
  return { svc, store, indexes, logs, close: async () => (await indexes.close(), await store.close()) };
}
