/**
 * A face may belong to several galleries of its account. `face_galleries` holds every
 * membership (with the seq at which the face entered that gallery, so an index catches up by
 * membership); `faces.gallery_id` stays as the gallery the face was created in (it scopes the
 * client id). Each account also gets one hidden row per model in `galleries`
 * (`account_set = 1`): every face of the account is a member of it, so a search over the whole
 * account is one index, however many galleries there are. `person_id` groups faces of one
 * person for clients that keep such ids.
 */
export const migration0006 = {
  version: 6,
  name: 'face-memberships',
  sql: `
ALTER TABLE galleries ADD COLUMN account_set INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN person_id INTEGER;

CREATE TABLE face_galleries (
  gallery_id  INTEGER NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
  face_id     INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (gallery_id, face_id)
) WITHOUT ROWID;
CREATE INDEX face_galleries_face ON face_galleries (face_id);
CREATE INDEX face_galleries_seq ON face_galleries (gallery_id, seq);
CREATE INDEX faces_client_id ON faces (client_id) WHERE client_id IS NOT NULL;
CREATE INDEX faces_person_id ON faces (person_id) WHERE person_id IS NOT NULL;

INSERT INTO face_galleries (gallery_id, face_id, seq) SELECT gallery_id, id, seq FROM faces;

INSERT INTO galleries (account_id, name, description, model_key, dimensions, face_count, seq, created_at, updated_at, account_set)
  SELECT account_id, '*account:' || model_key, '', model_key, max(dimensions), sum(face_count), 1, min(created_at), max(updated_at), 1
  FROM galleries GROUP BY account_id, model_key;

INSERT INTO face_galleries (gallery_id, face_id, seq)
  SELECT a.id, f.id, 1 FROM faces f
  JOIN galleries g ON g.id = f.gallery_id
  JOIN galleries a ON a.account_set = 1 AND a.account_id = g.account_id AND a.model_key = g.model_key;
`,
};
