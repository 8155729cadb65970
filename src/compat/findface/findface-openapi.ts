/**
 * The dialect's own OpenAPI document (kept out of the native /v1 document) and the docs page
 * served at /findface/v1/docs, where FindFace serves its "embedded API framework".
 */
const M = (summary: string, extra: Record<string, unknown> = {}) => ({ summary, security: [{ token: [] }], responses: { 200: { description: 'OK' }, default: { description: '{code, reason[, param, value]}' } }, ...extra });

const PATHS: Record<string, Record<string, unknown>> = {
  '/detect': { post: M('Faces of a photo (gender, age, emotions on request)') },
  '/verify': { post: M('Whether two photos show the same person') },
  '/identify': { post: M('Search every face of the account (or one gallery)') },
  '/faces/gallery/{gallery}/identify': { post: M('Search one gallery') },
  '/face': { post: M('Create faces from a photo (in galleries, default "default")') },
  '/face/id/{id}': { get: M('A face'), put: M('Change meta, person_id, galleries {add|del|set}'), delete: M('Delete a face (204)') },
  '/faces/id/{id}': { get: M('A face'), put: M('Same as /face/id/{id}'), delete: M('Delete a face (204)') },
  '/person/id/{id}': { get: M('The faces of a person') },
  '/face/meta/{meta}': { get: M('Faces with that meta') },
  '/faces': { get: M('Every face, paged by min_id / max_id') },
  '/faces/gallery/{gallery}': { get: M("A gallery's faces, paged by min_id / max_id") },
  '/meta': { get: M('Meta values with their count and newest face') },
  '/meta/gallery/{gallery}': { get: M('Meta values of a gallery') },
  '/galleries': { get: M('Gallery names'), post: M('Create a gallery named by `name` (201)') },
  '/galleries/{name}': { post: M('Create a gallery (201)'), delete: M('Delete a gallery (204)') },
};

export function findfaceOpenApi(prefix: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Visage: FindFace Enterprise Server SDK dialect', version: '1' },
    servers: [{ url: `${prefix}/v1` }, { url: `${prefix}/v0` }],
    components: { securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <key>' } } },
    paths: PATHS,
  };
}

export function findfaceDocsPage(documentUrl: string): string {
  const rows = Object.entries(PATHS)
    .flatMap(([p, ops]) => Object.entries(ops).map(([m, o]) => `<tr><td>${m.toUpperCase()}</td><td><code>${p}</code></td><td>${(o as { summary: string }).summary}</td></tr>`))
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>FindFace dialect</title></head><body>
<h1>FindFace Enterprise Server SDK dialect</h1>
<p>Authorization: <code>Token &lt;key&gt;</code>. OpenAPI document: <a href="${documentUrl}">${documentUrl}</a>. See docs/compat/findface.md.</p>
<table>${rows}</table></body></html>`;
}
