/**
 * Imports a catalogue file's rows (agencies, models with photo paths, reviews) through the
 * catalogue use cases. Resumable: agencies and models are found again by `external_id`, and a
 * photo a model already has (same bytes) is not enrolled twice, so a run that stopped halfway
 * can be run again. Reviews carry no id: they are added with an agency created in this run.
 * Each row answers for itself; one bad row never stops the import.
 */
import { VisageError } from '../../domain/error.registry.js';
import type { CatalogueService } from './catalogue.service.js';

type Row = Record<string, unknown>;

export interface CatalogueFile {
  agencies?: Row[];
  models?: Row[];
  reviews?: Row[];
}

export interface ImportRowError {
  kind: 'agency' | 'model' | 'photo' | 'review';
  row: number;
  code: string;
  message: string;
}

export interface ImportReport {
  agencies: { created: number; existing: number };
  models: { created: number; existing: number };
  photos: { added: number; existing: number };
  reviews: { created: number };
  errors: ImportRowError[];
}

export async function importCatalogue(
  catalogue: CatalogueService,
  file: CatalogueFile,
  readPhoto: (path: string) => Promise<Uint8Array>,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportReport> {
  const report: ImportReport = { agencies: { created: 0, existing: 0 }, models: { created: 0, existing: 0 }, photos: { added: 0, existing: 0 }, reviews: { created: 0 }, errors: [] };
  const agencies = file.agencies ?? [], models = file.models ?? [], reviews = file.reviews ?? [];
  const total = agencies.length + models.length + reviews.length;
  let done = 0;
  const fail = (kind: ImportRowError['kind'], row: number, e: unknown) => {
    const v = e instanceof VisageError ? e : new VisageError('INTERNAL', (e as Error).message);
    report.errors.push({ kind, row, code: v.code, message: v.message });
  };
  const agencyIds = new Map<string, number>();
  const createdNow = new Set<string>();
  for (const [i, a] of agencies.entries()) {
    try {
      const ext = String(a.external_id ?? '');
      const found = ext ? (await catalogue.listAgencies({ externalId: ext }, { page: 1, perPage: 1, sortDir: 'asc' })).items[0] : undefined;
      const agency = found ?? (await catalogue.createAgency(a));
      if (found) report.agencies.existing++;
      else (report.agencies.created++, createdNow.add(ext));
      if (ext) agencyIds.set(ext, agency.id);
    } catch (e) {
      fail('agency', i, e);
    }
    onProgress(++done, total);
  }
  const agencyOf = (r: Row) => (r.agency !== undefined ? agencyIds.get(String(r.agency)) ?? null : r.agency_id);
  for (const [i, m] of models.entries()) {
    try {
      const ext = String(m.external_id ?? '');
      const found = ext ? (await catalogue.listModels({ externalId: ext }, { page: 1, perPage: 1, sortDir: 'asc' })).items[0] : undefined;
      const photos = Array.isArray(m.photos) ? m.photos.map(String) : typeof m.photos === 'string' ? m.photos.split(';').filter(Boolean) : [];
      const { agency: _a, photos: _p, ...fields } = m;
      const model = found ?? (await catalogue.createModel({ ...fields, agency_id: agencyOf(m) }));
      if (found) report.models.existing++;
      else report.models.created++;
      for (const path of photos) {
        try {
          const r = await catalogue.addPhoto(model.id, { bytes: await readPhoto(path) }, path.split('/').pop() ?? path);
          if (r.created) report.photos.added++;
          else report.photos.existing++;
        } catch (e) {
          fail('photo', i, e);
        }
      }
    } catch (e) {
      fail('model', i, e);
    }
    onProgress(++done, total);
  }
  for (const [i, r] of reviews.entries()) {
    try {
      const ext = String(r.agency ?? '');
      if (!ext || createdNow.has(ext)) {
        const { agency: _a, ...fields } = r;
        await catalogue.createReview({ ...fields, agency_id: agencyOf(r) });
        report.reviews.created++;
      }
    } catch (e) {
      fail('review', i, e);
    }
    onProgress(++done, total);
  }
  return report;
}
