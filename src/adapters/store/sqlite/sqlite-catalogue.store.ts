/**
 * The catalogue on SQLite, on the process's shared handle (migration 0007). Filters are exact
 * matches built from a fixed column list (never from input names); agencies' model counts are
 * counted by subquery, so they are always those of the catalogue itself.
 */
import type Database from 'better-sqlite3';
import type {
  Agency,
  AgencyFilter,
  CatalogueModel,
  CataloguePhoto,
  ModelFilter,
  NewAgency,
  NewCatalogueModel,
  NewReview,
  Page,
  PageQuery,
  Review,
  ReviewFilter,
} from '../../../domain/catalogue.model.js';
import { VisageError } from '../../../domain/error.registry.js';
import type { CatalogueStore } from '../../../ports/catalogue-store.port.js';
import { StatementCache } from './sqlite-database.js';
import { AGENCY_SELECT, toAgency, toModel, toPhoto, toReview, type CatalogueRow } from '../catalogue.rows.js';

type Row = CatalogueRow;
const AGENCY = AGENCY_SELECT;

/** WHERE clauses and their values, from the filters that are set. */
class Where {
  readonly parts: string[] = [];
  readonly values: unknown[] = [];
  constructor(account?: string, col = 'account_id') {
    if (account !== undefined) this.add(`${col} = ?`, account);
  }
  add(sql: string, ...v: unknown[]): this {
    this.parts.push(sql);
    this.values.push(...v);
    return this;
  }
  eq(col: string, v: unknown): this {
    return v === undefined ? this : this.add(`${col} = ?`, v);
  }
  get sql(): string {
    return this.parts.join(' AND ');
  }
}

/** An external id another record of the account already has: DUPLICATE_ID, not a raw SQLite error. */
function unique<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof Error && /UNIQUE constraint failed: .*external_id/.test(e.message)) {
      throw new VisageError('DUPLICATE_ID', 'A record with this external_id already exists', { param: 'external_id' });
    }
    throw e;
  }
}

export class SqliteCatalogueStore implements CatalogueStore {
  private readonly stmts: StatementCache;

  constructor(
    private readonly db: Database.Database,
    private readonly release: () => void = () => {},
  ) {
    this.stmts = new StatementCache(db);
  }

  private page<T>(from: string, w: Where, p: PageQuery, order: string, map: (r: Row) => T): Page<T> {
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM (${from} WHERE ${w.sql})`).get(...w.values) as { n: number }).n;
    const dir = p.sortDir === 'desc' ? 'DESC' : 'ASC';
    const rows = this.db.prepare(`${from} WHERE ${w.sql} ORDER BY ${order} ${dir} LIMIT ? OFFSET ?`).all(...w.values, p.perPage, (p.page - 1) * p.perPage) as Row[];
    return { items: rows.map(map), page: p.page, perPage: p.perPage, total };
  }

  async createAgency(account: string, a: NewAgency): Promise<Agency> {
    const r = unique(() =>
      this.stmts
      .get('INSERT INTO catalogue_agencies (account_id, title, mother, genders, languages, external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(account, a.title, a.mother ? 1 : 0, JSON.stringify(a.genders), JSON.stringify(a.languages), a.externalId, Date.now()),
    );
    return (await this.getAgency(account, Number(r.lastInsertRowid)))!;
  }

  async getAgency(account: string, id: number): Promise<Agency | null> {
    const r = this.stmts.get(`${AGENCY} WHERE a.account_id = ? AND a.id = ?`).get(account, id) as Row | undefined;
    return r ? toAgency(r) : null;
  }

  async updateAgency(account: string, id: number, a: NewAgency): Promise<Agency | null> {
    const r = unique(() =>
      this.stmts
      .get('UPDATE catalogue_agencies SET title = ?, mother = ?, genders = ?, languages = ?, external_id = ? WHERE account_id = ? AND id = ?')
      .run(a.title, a.mother ? 1 : 0, JSON.stringify(a.genders), JSON.stringify(a.languages), a.externalId, account, id),
    );
    return r.changes ? this.getAgency(account, id) : null;
  }

  async deleteAgency(account: string, id: number): Promise<boolean> {
    return this.stmts.get('DELETE FROM catalogue_agencies WHERE account_id = ? AND id = ?').run(account, id).changes > 0;
  }

  async listAgencies(account: string, f: AgencyFilter, p: PageQuery): Promise<Page<Agency>> {
    const w = new Where(account, 'a.account_id').eq('a.title', f.title).eq('a.external_id', f.externalId);
    if (f.mother !== undefined) w.add('a.mother = ?', f.mother ? 1 : 0);
    if (f.onlyGender) w.add('a.genders = ?', JSON.stringify([f.onlyGender]));
    if (f.language !== undefined) w.add('EXISTS (SELECT 1 FROM json_each(a.languages) WHERE value = ?)', f.language.toLowerCase());
    // The counts are columns of the subquery: filter on them from outside.
    const from = `SELECT * FROM (${AGENCY} WHERE ${w.sql})`;
    const outer = new Where().add('1 = 1', ...w.values).eq('male_count', f.maleCount).eq('female_count', f.femaleCount);
    return this.page(from, outer, p, 'id', toAgency);
  }

  private photosOf(modelIds: number[]): Map<number, CataloguePhoto[]> {
    const out = new Map<number, CataloguePhoto[]>();
    if (modelIds.length === 0) return out;
    const rows = this.db.prepare(`SELECT * FROM catalogue_photos WHERE model_id IN (${modelIds.map(() => '?').join(',')}) ORDER BY id`).all(...modelIds) as Row[];
    for (const r of rows) {
      const p = toPhoto(r);
      out.set(p.modelId, [...(out.get(p.modelId) ?? []), p]);
    }
    return out;
  }

  private modelsOf(rows: Row[]): CatalogueModel[] {
    const photos = this.photosOf(rows.map((r) => r.id as number));
    return rows.map((r) => toModel(r, photos.get(r.id as number) ?? []));
  }

  async createModel(account: string, m: NewCatalogueModel): Promise<CatalogueModel> {
    const r = unique(() =>
      this.stmts
      .get(
        `INSERT INTO catalogue_models (account_id, agency_id, name, gender, height, bust, waist, hips, shoes, eyes, hair, external_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(account, m.agencyId, m.name, m.gender, m.height, m.bust, m.waist, m.hips, m.shoes, m.eyes, m.hair, m.externalId, Date.now()),
    );
    return (await this.getModel(account, Number(r.lastInsertRowid)))!;
  }

  async getModel(account: string, id: number): Promise<CatalogueModel | null> {
    const r = this.stmts.get('SELECT * FROM catalogue_models WHERE account_id = ? AND id = ?').get(account, id) as Row | undefined;
    return r ? this.modelsOf([r])[0]! : null;
  }

  async updateModel(account: string, id: number, m: NewCatalogueModel): Promise<CatalogueModel | null> {
    const r = unique(() =>
      this.stmts
      .get('UPDATE catalogue_models SET agency_id = ?, name = ?, gender = ?, height = ?, bust = ?, waist = ?, hips = ?, shoes = ?, eyes = ?, hair = ?, external_id = ? WHERE account_id = ? AND id = ?')
      .run(m.agencyId, m.name, m.gender, m.height, m.bust, m.waist, m.hips, m.shoes, m.eyes, m.hair, m.externalId, account, id),
    );
    return r.changes ? this.getModel(account, id) : null;
  }

  async deleteModel(account: string, id: number): Promise<number[] | null> {
    return this.db.transaction(() => {
      const faces = (this.stmts.get('SELECT face_id FROM catalogue_photos WHERE account_id = ? AND model_id = ?').all(account, id) as { face_id: number }[]).map((r) => r.face_id);
      const gone = this.stmts.get('DELETE FROM catalogue_models WHERE account_id = ? AND id = ?').run(account, id).changes > 0;
      return gone ? faces : null;
    })();
  }

  async listModels(account: string, f: ModelFilter, p: PageQuery): Promise<Page<CatalogueModel>> {
    const w = new Where(account)
      .eq('agency_id', f.agencyId)
      .eq('gender', f.gender)
      .eq('height', f.height)
      .eq('bust', f.bust)
      .eq('waist', f.waist)
      .eq('hips', f.hips)
      .eq('shoes', f.shoes)
      .eq('eyes', f.eyes?.toLowerCase())
      .eq('hair', f.hair?.toLowerCase())
      .eq('external_id', f.externalId);
    if (f.faceIds) w.add(`id IN (SELECT model_id FROM catalogue_photos WHERE face_id IN (${f.faceIds.map(() => '?').join(',') || 'NULL'}))`, ...f.faceIds);
    const page = this.page('SELECT * FROM catalogue_models', w, p, 'id', (r) => r);
    return { ...page, items: this.modelsOf(page.items) };
  }

  async addPhoto(account: string, modelId: number, p: { faceId: number; photoHash: string; label: string | null }): Promise<CataloguePhoto> {
    const r = this.stmts
      .get('INSERT INTO catalogue_photos (account_id, model_id, face_id, photo_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, modelId, p.faceId, p.photoHash, p.label, Date.now());
    return toPhoto(this.stmts.get('SELECT * FROM catalogue_photos WHERE id = ?').get(Number(r.lastInsertRowid)) as Row);
  }

  async findPhoto(account: string, modelId: number, photoHash: string): Promise<CataloguePhoto | null> {
    const r = this.stmts.get('SELECT * FROM catalogue_photos WHERE account_id = ? AND model_id = ? AND photo_hash = ?').get(account, modelId, photoHash) as Row | undefined;
    return r ? toPhoto(r) : null;
  }

  async deletePhoto(account: string, modelId: number, photoId: number): Promise<number | null> {
    const r = this.stmts.get('DELETE FROM catalogue_photos WHERE account_id = ? AND model_id = ? AND id = ? RETURNING face_id').get(account, modelId, photoId) as { face_id: number } | undefined;
    return r?.face_id ?? null;
  }

  async photosByFaceIds(account: string, faceIds: number[]): Promise<CataloguePhoto[]> {
    if (faceIds.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM catalogue_photos WHERE account_id = ? AND face_id IN (${faceIds.map(() => '?').join(',')})`).all(account, ...faceIds) as Row[];
    return rows.map(toPhoto);
  }

  async createReview(account: string, r: NewReview): Promise<Review> {
    const res = this.stmts
      .get('INSERT INTO catalogue_reviews (account_id, agency_id, author, type, text, date) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, r.agencyId, r.author, r.type, r.text, r.date.getTime());
    return (await this.getReview(account, Number(res.lastInsertRowid)))!;
  }

  async getReview(account: string, id: number): Promise<Review | null> {
    const r = this.stmts.get('SELECT * FROM catalogue_reviews WHERE account_id = ? AND id = ?').get(account, id) as Row | undefined;
    return r ? toReview(r) : null;
  }

  async updateReview(account: string, id: number, r: NewReview): Promise<Review | null> {
    const res = this.stmts
      .get('UPDATE catalogue_reviews SET agency_id = ?, author = ?, type = ?, text = ?, date = ? WHERE account_id = ? AND id = ?')
      .run(r.agencyId, r.author, r.type, r.text, r.date.getTime(), account, id);
    return res.changes ? this.getReview(account, id) : null;
  }

  async deleteReview(account: string, id: number): Promise<boolean> {
    return this.stmts.get('DELETE FROM catalogue_reviews WHERE account_id = ? AND id = ?').run(account, id).changes > 0;
  }

  async listReviews(account: string, f: ReviewFilter, p: PageQuery): Promise<Page<Review>> {
    const w = new Where(account).eq('agency_id', f.agencyId).eq('author', f.author).eq('type', f.type);
    return this.page('SELECT * FROM catalogue_reviews', w, p, 'id', toReview);
  }

  async close(): Promise<void> {
    this.release();
  }
}
