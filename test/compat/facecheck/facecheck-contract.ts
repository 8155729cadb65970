/**
 * Validates answers against the schemas of ../shared/vendor-apis/facecheck.openapi.json with
 * ajv (additionalProperties: false as the document says). One deliberate widening: the
 * document's `output` is a bare $ref (OpenAPI 3.0 ignores a sibling `nullable`), yet FACTS.md
 * says every unset key is null, as the real service sends it, so `output` may also be null.
 */
import AjvModule from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL_DIR } from '../../helpers/eval-photos.js';

type Schema = Record<string, unknown>;

function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const o = { ...(s as Schema) };
  for (const k of ['example', 'readOnly', 'format', 'description']) delete o[k];
  if (typeof o.$ref === 'string') o.$ref = (o.$ref as string).replace('#/components/schemas/', '#/definitions/');
  for (const k of Object.keys(o)) if (k !== '$ref') o[k] = toJsonSchema(o[k]);
  if (o.nullable === true) {
    delete o.nullable;
    if (typeof o.type === 'string') o.type = [o.type, 'null'];
  }
  delete o.nullable;
  return o;
}

const doc = JSON.parse(readFileSync(join(EVAL_DIR, '..', 'vendor-apis', 'facecheck.openapi.json'), 'utf8')) as { components: { schemas: Schema } };
const definitions = toJsonSchema(doc.components.schemas) as Record<string, Schema>;
const browser = definitions.BrowserJsonResponse!;
(browser.properties as Schema).output = { anyOf: [{ $ref: '#/definitions/Search_Results' }, { type: 'null' }] };

// ajv is CommonJS: its class is the default export's `default` under NodeNext.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as new (o: object) => {
  compile(s: object): ((d: unknown) => boolean) & { errors?: unknown };
  errorsText(e: unknown): string;
};
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ((d: unknown) => boolean) & { errors?: unknown }>();

export function assertSchema(name: 'BrowserJsonResponse' | 'InfoResponse', body: unknown): void {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile({ definitions, $ref: `#/definitions/${name}` });
    compiled.set(name, v);
  }
  if (!v(body)) throw new Error(`${name} invalid: ${ajv.errorsText(v.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
  if (name === 'BrowserJsonResponse') {
    for (const k of Object.keys(browser.properties as Schema)) if (!(k in (body as Schema))) throw new Error(`${name} lacks key ${k}`);
  }
}
