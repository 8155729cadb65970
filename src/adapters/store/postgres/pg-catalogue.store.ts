/**
 * The catalogue on PostgreSQL (migration 0006), shared by every node on the database; the same
 * contract as SQLite's (test/ports/catalogue-store.contract.ts). Filters are exact matches built
 * from a fixed column list (never from input names), with numbered parameters; agencies' model
 * counts are counted by subquery in the statement that reads them, so no node sees them stale.
 * Each write is one statement (a model's delete reads its photos' faces in the same statement,
 * from the snapshot before the cascade), so none needs a transaction of its own.
 */
import type pg from 'pg';
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
import { AGENCY_COUNTS, AGENCY_SELECT, toAgency, toModel, toPhoto, toReview, type CatalogueRow } from '../catalogue.rows.js';

type Row = CatalogueRow;
const AGENCY = AGENCY_SELECT;

/**
 * WHERE clauses and their values ($1, $2, … in the order added), from the filters that are set.
 * Two of them may share one list of values (a subquery's and the outer query's).
 */
class Where {
  readonly parts: string[] = [];
  constructor(
    account?: string,
    col = 'account_id',
    readonly values: unknown[] = [],
  ) {
    if (account !== undefined) this.add(col, '= $', account);
  }
  /** `col op $n` with the value as the next parameter (`op` ends where the placeholder goes). */
  add(col: string, op: string, v: unknown, cast = ''): this {
    this.values.push(v);
    this.parts.push(`${col} ${op}${this.values.length}${cast}`);
    return this;
  }
  /** A clause around the value's placeholder (`$n`). */
  raw(sql: (placeholder: string) => string, v: unknown): this {
    this.values.push(v);
    this.parts.push(sql(`$${this.values.length}`));
    return this;
  }
  eq(col: string, v: unknown): this {
    return v === undefined ? this : this.add(col, '= $', v);
  }
  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : 'true';
  }
}

/** An external id another record of the account already has: DUPLICATE_ID, not a raw PostgreSQL error. */
async function unique<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (e) {
    const err = e as { code?: string; constraint?: string };
    if (err.code === '23505' && /external/.test(err.constraint ?? '')) {
      throw new VisageError('DUPLICATE_ID', 'A record with this external_id already exists', { param: 'external_id' });
    }
    throw e;
  }
}

export class PgCatalogueStore implements CatalogueStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Called by close(): releases the shared pool (or ends a pool of its own). */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  private async rows(sql: string, values: unknown[]): Promise<Row[]> {
    return (await this.pool.query(sql, values)).rows as Row[];
  }

  private async page<T>(from: string, w: Where, p: PageQuery, map: (r: Row) => T): Promise<Page<T>> {
    const n = w.values.length;
    const dir = p.sortDir === 'desc' ? 'DESC' : 'ASC';
    const [count, rows] = await Promise.all([
      this.rows(`SELECT count(*) AS n FROM (${from} WHERE ${w.sql}) x`, w.values),
      this.rows(`${from} WHERE ${w.sql} ORDER BY id ${dir} LIMIT $${n + 1} OFFSET $${n + 2}`, [...w.values, p.perPage, (p.page - 1) * p.perPage]),
    ]);
    return { items: rows.map(map), page: p.page, perPage: p.perPage, total: count[0]!.n as number };
  }

  async createAgency(account: string, a: NewAgency): Promise<Agency> {
    const r = await unique(
      this.rows(
        `INSERT INTO catalogue_agencies (account_id, title, mother, genders, languages, external_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING *, 0 AS male_count, 0 AS female_count`,
        [account, a.title, a.mother, a.genders, a.languages, a.externalId, Date.now()],
      ),
    );
    return toAgency(r[0]!);
  }

  async getAgency(account: string, id: number): Promise<Agency | null> {
    const r = await this.rows(`${AGENCY} WHERE a.account_id = $1 AND a.id = $2`, [account, id]);
    return r[0] ? toAgency(r[0]) : null;
  }

  async updateAgency(account: string, id: number, a: NewAgency): Promise<Agency | null> {
    const r = await unique(
      this.rows(
        `WITH a AS (UPDATE catalogue_agencies SET title = $1, mother = $2, genders = $3, languages = $4, external_id = $5 WHERE account_id = $6 AND id = $7 RETURNING *)
         SELECT a.*, ${AGENCY_COUNTS} FROM a`,
        [a.title, a.mother, a.genders, a.languages, a.externalId, account, id],
      ),
    );
    return r[0] ? toAgency(r[0]) : null;
  }

  async deleteAgency(account: string, id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM catalogue_agencies WHERE account_id = $1 AND id = $2', [account, id])).rowCount ?? 0) > 0;
  }

  async listAgencies(account: string, f: AgencyFilter, p: PageQuery): Promise<Page<Agency>> {
    const w = new Where(account, 'a.account_id').eq('a.title', f.title).eq('a.external_id', f.externalId).eq('a.mother', f.mother);
    if (f.onlyGender) w.add('a.genders', '= ARRAY[$', f.onlyGender, ']::text[]');
    if (f.language !== undefined) w.raw((v) => `${v} = ANY (a.languages)`, f.language.toLowerCase());
    // The counts are columns of the subquery: filter on them from outside.
    const outer = new Where(undefined, undefined, w.values).eq('male_count', f.maleCount).eq('female_count', f.femaleCount);
    return this.page(`SELECT * FROM (${AGENCY} WHERE ${w.sql}) c`, outer, p, toAgency);
  }

  private async photosOf(modelIds: number[]): Promise<Map<number, CataloguePhoto[]>> {
    const out = new Map<number, CataloguePhoto[]>();
    if (modelIds.length === 0) return out;
    for (const r of await this.rows('SELECT * FROM catalogue_photos WHERE model_id = ANY ($1::bigint[]) ORDER BY id', [modelIds])) {
      const p = toPhoto(r);
      out.set(p.modelId, [...(out.get(p.modelId) ?? []), p]);
    }
    return out;
  }

  private async modelsOf(rows: Row[]): Promise<CatalogueModel[]> {
    const photos = await this.photosOf(rows.map((r) => r.id as number));
    return rows.map((r) => toModel(r, photos.get(r.id as number) ?? []));
  }

  async createModel(account: string, m: NewCatalogueModel): Promise<CatalogueModel> {
    const r = await unique(
      this.rows(
        `INSERT INTO catalogue_models (account_id, agency_id, name, gender, height, bust, waist, hips, shoes, eyes, hair, external_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
        [account, m.agencyId, m.name, m.gender, m.height, m.bust, m.waist, m.hips, m.shoes, m.eyes, m.hair, m.externalId, Date.now()],
      ),
    );
    return toModel(r[0]!, []);
  }

  async getModel(account: string, id: number): Promise<CatalogueModel | null> {
    const r = await this.rows('SELECT * FROM catalogue_models WHERE account_id = $1 AND id = $2', [account, id]);
    return r[0] ? (await this.modelsOf(r))[0]! : null;
  }

  async updateModel(account: string, id: number, m: NewCatalogueModel): Promise<CatalogueModel | null> {
    const r = await unique(
      this.rows(
        `UPDATE catalogue_models SET agency_id = $1, name = $2, gender = $3, height = $4, bust = $5, waist = $6, hips = $7, shoes = $8, eyes = $9, hair = $10, external_id = $11
         WHERE account_id = $12 AND id = $13 RETURNING *`,
        [m.agencyId, m.name, m.gender, m.height, m.bust, m.waist, m.hips, m.shoes, m.eyes, m.hair, m.externalId, account, id],
      ),
    );
    return r[0] ? (await this.modelsOf(r))[0]! : null;
  }

  async deleteModel(account: string, id: number): Promise<number[] | null> {
    // One statement: no row when the model was absent; one row (face_id null) per model without photos.
    const r = await this.rows(
      `WITH d AS (DELETE FROM catalogue_models WHERE account_id = $1 AND id = $2 RETURNING id)
       SELECT p.face_id FROM d LEFT JOIN catalogue_photos p ON p.model_id = d.id ORDER BY p.id`,
      [account, id],
    );
    return r.length === 0 ? null : r.filter((x) => x.face_id !== null).map((x) => x.face_id as number);
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
    if (f.faceIds) w.raw((v) => `id IN (SELECT model_id FROM catalogue_photos WHERE face_id = ANY (${v}::bigint[]))`, f.faceIds);
    const page = await this.page('SELECT * FROM catalogue_models', w, p, (r) => r);
    return { ...page, items: await this.modelsOf(page.items) };
  }

  async addPhoto(account: string, modelId: number, p: { faceId: number; photoHash: string; label: string | null }): Promise<CataloguePhoto> {
    const r = await this.rows(
      'INSERT INTO catalogue_photos (account_id, model_id, face_id, photo_hash, label, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [account, modelId, p.faceId, p.photoHash, p.label, Date.now()],
    );
    return toPhoto(r[0]!);
  }

  async findPhoto(account: string, modelId: number, photoHash: string): Promise<CataloguePhoto | null> {
    const r = await this.rows('SELECT * FROM catalogue_photos WHERE account_id = $1 AND model_id = $2 AND photo_hash = $3', [account, modelId, photoHash]);
    return r[0] ? toPhoto(r[0]) : null;
  }

  async deletePhoto(account: string, modelId: number, photoId: number): Promise<number | null> {
    const r = await this.rows('DELETE FROM catalogue_photos WHERE account_id = $1 AND model_id = $2 AND id = $3 RETURNING face_id', [account, modelId, photoId]);
    return (r[0]?.face_id as number | undefined) ?? null;
  }

  async photosByFaceIds(account: string, faceIds: number[]): Promise<CataloguePhoto[]> {
    if (faceIds.length === 0) return [];
    return (await this.rows('SELECT * FROM catalogue_photos WHERE account_id = $1 AND face_id = ANY ($2::bigint[]) ORDER BY id', [account, faceIds])).map(toPhoto);
  }

  async createReview(account: string, r: NewReview): Promise<Review> {
    const rows = await this.rows(
      'INSERT INTO catalogue_reviews (account_id, agency_id, author, type, text, date) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [account, r.agencyId, r.author, r.type, r.text, r.date.getTime()],
    );
    return toReview(rows[0]!);
  }

  async getReview(account: string, id: number): Promise<Review | null> {
    const r = await this.rows('SELECT * FROM catalogue_reviews WHERE account_id = $1 AND id = $2', [account, id]);
    return r[0] ? toReview(r[0]) : null;
  }

  async updateReview(account: string, id: number, r: NewReview): Promise<Review | null> {
    const rows = await this.rows(
      'UPDATE catalogue_reviews SET agency_id = $1, author = $2, type = $3, text = $4, date = $5 WHERE account_id = $6 AND id = $7 RETURNING *',
      [r.agencyId, r.author, r.type, r.text, r.date.getTime(), account, id],
    );
    return rows[0] ? toReview(rows[0]) : null;
  }

  async deleteReview(account: string, id: number): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM catalogue_reviews WHERE account_id = $1 AND id = $2', [account, id])).rowCount ?? 0) > 0;
  }

  async listReviews(account: string, f: ReviewFilter, p: PageQuery): Promise<Page<Review>> {
    const w = new Where(account).eq('agency_id', f.agencyId).eq('author', f.author).eq('type', f.type);
    return this.page('SELECT * FROM catalogue_reviews', w, p, toReview);
  }

  async close(): Promise<void> {
    await this.release();
  }
}
