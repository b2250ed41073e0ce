import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Role } from './auth.js';
import { API_ERRORS, type ApiErrorCode } from './errors.js';

/**
 * The OpenAPI 3.1 document, generated: routes describe themselves with zod schemas (the same schemas that
 * validate their input, and that tests check their output against), and the document is built from those
 * descriptions and the routes the app actually registered, so a route cannot be served without appearing.
 */

/** Schemas that appear under components/schemas and are referenced by name. */
export const components = z.registry<{ id: string; description?: string }>();

export function component<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  components.add(schema, description ? { id, description } : { id });
  return schema;
}

export const errorEnvelopeSchema = component(
  'ErrorEnvelope',
  z.object({ error: z.object({ code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]), message: z.string() }) }),
  'Every REST error: a code (one per HTTP status, see the route) and a message that never quotes a value sent.',
);

export const operationOutcomeSchema = component(
  'OperationOutcome',
  z.object({
    resourceType: z.literal('OperationOutcome'),
    issue: z.array(z.object({ severity: z.enum(['fatal', 'error', 'warning', 'information']), code: z.string(), diagnostics: z.string().optional() })).min(1),
  }),
  'Every FHIR error (routes under /fhir).',
);

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Default application/json (application/fhir+json under /fhir). */
  contentType?: string;
}

export interface RouteDoc {
  method: HttpMethod;
  /** As registered in hono: /fhir/Patient/:id. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** The least role that may call it; null: no key needed. */
  role: Role | null;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; contentTypes?: string[]; description?: string };
  responses: Record<number, ResponseDoc>;
  /** Error codes of errors.ts the route answers with, besides the authentication and size ones. */
  errors?: ApiErrorCode[];
}

const FHIR_JSON = 'application/fhir+json';

/** /fhir/Patient/:id → /fhir/Patient/{id} (a hono pattern :id{re} keeps only its name). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?/g, '{$1}');
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const id = components.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, s]) => {
    const field = s as z.ZodType;
    const js = jsonSchema(field, 'input') as Record<string, unknown>;
    const description = (js.description as string | undefined) ?? field.description;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: js,
    };
  });
}

function errorResponses(doc: RouteDoc, fhir: boolean) {
  const codes = new Set<ApiErrorCode>(doc.errors ?? []);
  if (doc.role) {
    codes.add('unauthorized');
    codes.add('forbidden');
  }
  if (doc.method !== 'get') codes.add('payload_too_large');
  codes.add('internal');
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const c of codes) byStatus.set(API_ERRORS[c], [...(byStatus.get(API_ERRORS[c]) ?? []), c]);
  const out: Record<string, unknown> = {};
  for (const [status, cs] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: `error: ${cs.join(', ')}`,
      content: { [fhir ? FHIR_JSON : 'application/json']: { schema: { $ref: `#/components/schemas/${fhir ? 'OperationOutcome' : 'ErrorEnvelope'}` } } },
    };
  }
  return out;
}

function operation(doc: RouteDoc) {
  const fhir = doc.path.startsWith('/fhir/');
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? (fhir ? FHIR_JSON : 'application/json')]: { schema: jsonSchema(r.schema, 'output') } } } : {}),
    };
  }
  return {
    operationId: `${doc.method}${openApiPath(doc.path).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    security: doc.role ? [{ bearer: [] }] : [],
    ...(doc.role ? { 'x-required-role': doc.role } : {}),
    parameters: [...parameters('path', doc.params), ...parameters('query', doc.query)],
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            ...(doc.body.description ? { description: doc.body.description } : {}),
            content: Object.fromEntries((doc.body.contentTypes ?? ['application/json']).map((t) => [t, { schema: jsonSchema(doc.body!.schema, 'input') }])),
          },
        }
      : {}),
    // The route's own description of a status wins over the generic error one.
    responses: { ...errorResponses(doc, fhir), ...responses },
  };
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The document for the routes the app registered (hono `app.routes`). A route without a RouteDoc still
 * appears, marked `x-undocumented`, so the document never claims less than the service serves.
 */
export function openApiDocument(registered: ReadonlyArray<{ method: string; path: string }>, docs: readonly RouteDoc[]) {
  const byKey = new Map(docs.map((d) => [`${d.method} ${d.path}`, d]));
  const paths: Record<string, Record<string, unknown>> = {};
  const seen = new Set<string>();
  for (const r of registered) {
    const method = r.method.toLowerCase();
    // Middleware is registered as ALL on patterns; the document is about endpoints.
    if (method === 'all' || r.path.includes('*')) continue;
    const key = `${method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = byKey.get(key);
    const p = (paths[openApiPath(r.path)] ??= {});
    p[method] = doc
      ? operation(doc)
      : { summary: 'Undocumented route', 'x-undocumented': true, security: [{ bearer: [] }], responses: { default: { description: 'see the README' } } };
  }
  const schemas = z.toJSONSchema(components, { uri: (id) => `#/components/schemas/${id}`, io: 'output', unrepresentable: 'any' }).schemas;
  for (const s of Object.values(schemas)) {
    delete (s as Record<string, unknown>).$schema;
    delete (s as Record<string, unknown>).$id;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MPI — Master Patient Index',
      version: VERSION,
      description:
        'HL7 v2 ADT in over MLLP; identities out over HTTP: IHE PIXm and PDQm, FHIR Patient read and $match, a REST crosswalk and golden records. ' +
        'FHIR routes answer errors with an OperationOutcome, REST routes with {"error":{"code","message"}}.',
    },
    tags: [...new Set(docs.flatMap((d) => d.tags))].sort().map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key of MPI_API_KEYS. Roles: reader < steward < admin; each operation names the least role it needs (x-required-role).' },
      },
      schemas,
    },
    paths,
  };
}
