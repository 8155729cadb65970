/**
 * The core's public entry: what the surfaces (http/shared, /v1, each dialect, the CLI, the
 * eval) may use. Everything else under core/ is internal, and the port types a surface needs
 * are re-exported here so that surfaces never reach into ports/.
 */
export * from './abuse-guard.js';
export * from './audit.service.js';
export * from './auth.service.js';
export * from './credits.service.js';
export * from './face.service.js';
export * from './gallery.service.js';
export * from './gallery-import.service.js';
export * from './job.service.js';
export * from './keys.service.js';
export * from './rate-limiter.js';
export type { AuditEntry } from '../ports/account-store.port.js';
export type { IpBan } from '../ports/rate-store.port.js';
export type { AnyFaceRef, FacePage, FaceRef, Gallery, StoredFace } from '../ports/face-store.port.js';
export { DEFAULT_ACCOUNT } from '../ports/face-store.port.js';
export { systemClock, type Clock } from '../ports/clock.port.js';
export * from './search-index/search-index.service.js';
export * from './search-index/face-search.service.js';
export { faceSearchHandler } from './search-index/face-search.job.js';
export { BAND_FLOOR, faceSearchScore, scoreAnchors, scoreBand, type ScoreBand } from '../domain/face-search.rules.js';
export * from './catalogue/catalogue.service.js';
export type { ScoredPhoto, ScoredPhotoResult } from './catalogue/photo-scoring.service.js';
export { SCORE_WEIGHTS, type PhotoScore, type ScorePart } from './catalogue/photo-scoring.rules.js';
export type { CatalogueStore } from '../ports/catalogue-store.port.js';
export { importCatalogue, type CatalogueFile, type ImportReport, type ImportRowError } from './catalogue/catalogue-import.js';
export { PhotoScoring } from './catalogue/photo-scoring.service.js';
