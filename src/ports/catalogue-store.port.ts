/**
 * Where the catalogue lives (agencies, models with their photos, reviews), per account. The
 * faces of the photos live in the face store (the account's catalogue gallery); a photo row
 * names its face by internal id. Lists are paged and ordered by id (`sortDir`).
 */
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
} from '../domain/catalogue.model.js';

export interface CatalogueStore {
  createAgency(account: string, a: NewAgency): Promise<Agency>;
  getAgency(account: string, id: number): Promise<Agency | null>;
  updateAgency(account: string, id: number, a: NewAgency): Promise<Agency | null>;
  /** Deletes the agency and its reviews; its models stay, with no agency. False when absent. */
  deleteAgency(account: string, id: number): Promise<boolean>;
  listAgencies(account: string, f: AgencyFilter, p: PageQuery): Promise<Page<Agency>>;

  createModel(account: string, m: NewCatalogueModel): Promise<CatalogueModel>;
  getModel(account: string, id: number): Promise<CatalogueModel | null>;
  updateModel(account: string, id: number, m: NewCatalogueModel): Promise<CatalogueModel | null>;
  /** Deletes the model and its photo rows; returns the face ids the photos held (null when absent). */
  deleteModel(account: string, id: number): Promise<number[] | null>;
  listModels(account: string, f: ModelFilter, p: PageQuery): Promise<Page<CatalogueModel>>;

  addPhoto(account: string, modelId: number, p: { faceId: number; photoHash: string; label: string | null }): Promise<CataloguePhoto>;
  /** The model's photo with this hash, if it was added before (an import run again). */
  findPhoto(account: string, modelId: number, photoHash: string): Promise<CataloguePhoto | null>;
  /** Removes a photo row; returns its face id (null when absent). */
  deletePhoto(account: string, modelId: number, photoId: number): Promise<number | null>;
  /** The photos holding these faces, with their models' ids. */
  photosByFaceIds(account: string, faceIds: number[]): Promise<CataloguePhoto[]>;

  createReview(account: string, r: NewReview): Promise<Review>;
  getReview(account: string, id: number): Promise<Review | null>;
  updateReview(account: string, id: number, r: NewReview): Promise<Review | null>;
  deleteReview(account: string, id: number): Promise<boolean>;
  listReviews(account: string, f: ReviewFilter, p: PageQuery): Promise<Page<Review>>;

  close(): Promise<void>;
}
