import type { Context } from 'hono';
import { z } from 'zod';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import { ChangeLog } from '../linkage/changes.js';
import type { Queryable } from '../storage/db.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';

/**
 * Input checks shared by the read routes. Error messages name parameters, never echo what was sent: a value
 * may be patient data, and a reflected CR/LF is how header and log injection start.
 */

/** No control characters (CR, LF, NUL, …) in any parameter: nothing legitimate needs them. */
export const safeText = (max: number) => z.string().min(1).max(max).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** A parameter name is quoted back only when it looks like one. */
const quotable = (name: string) => (/^[A-Za-z_][A-Za-z0-9_.:-]{0,39}$/.test(name) ? name : 'a parameter');

function issueMessage(e: z.ZodError): string {
  const i = e.issues[0]!;
  const where = i.path.length ? quotable(i.path.map(String).join('.')) : 'input';
  if (i.code === 'unrecognized_keys') return `unsupported parameter ${quotable(i.keys[0] ?? '')}`;
  return `${where}: ${i.message}`;
}

export function zodError(e: z.ZodError, unsupported: 'bad_request' | 'unsupported_parameter' = 'bad_request'): ApiError {
  const i = e.issues[0];
  return new ApiError(i?.code === 'unrecognized_keys' ? unsupported : 'bad_request', issueMessage(e));
}

/** The query string as name → values, in order, each name possibly repeated. */
export function queryValues(c: Context): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URL(c.req.url).searchParams) (out[k] ??= []).push(v);
  return out;
}

// Built once per schema: `.strict()` makes a new schema, which zod would compile again on every request.
const strictOf = new WeakMap<z.ZodObject, z.ZodObject>();

/** A query of single-valued parameters: an unknown or repeated one is refused. */
export function singleQuery<T extends z.ZodObject>(c: Context, schema: T): z.infer<T> {
  const values = queryValues(c);
  const flat: Record<string, string> = {};
  for (const [k, vs] of Object.entries(values)) {
    if (vs.length > 1) throw new ApiError('bad_request', `${quotable(k)} must be given once`);
    flat[k] = vs[0]!;
  }
  let strict = strictOf.get(schema);
  if (!strict) strictOf.set(schema, (strict = schema.strict()));
  const r = strict.safeParse(flat);
  if (!r.success) throw zodError(r.error);
  return r.data as z.infer<T>;
}

/** A golden record id: any well-formed UUID (the service writes v4, a migrated one may be another version). */
export const goldenIdSchema = z.guid().meta({ description: 'golden record id (UUID)' });

export function goldenIdParam(c: Context): string {
  const r = goldenIdSchema.safeParse(c.req.param('id'));
  if (!r.success) throw new ApiError('bad_request', 'id must be a golden record id (a UUID)');
  return r.data.toLowerCase();
}

export const actorOf = (c: Context<{ Variables: AuthVariables }>) => `api:${c.get('apiKey').id}`;

/**
 * One audit row per record read (or one for the query when nothing was found): who, what, which record. The
 * detail holds counts and parameter names, never values.
 */
export async function auditRead(db: Queryable, actor: string, action: string, entityType: string, ids: readonly string[], detail: Record<string, unknown>) {
  const log = new ChangeLog();
  if (!ids.length) log.record(actor, action, 'query', '-', null, { ...detail, found: 0 });
  for (const id of ids) log.record(actor, action, entityType, id, null, detail);
  await log.flush(db);
}

/** Another process may have registered an authority (auto-registered OIDs) since this one loaded them. */
export async function knowAuthorities(db: Queryable, registry: AuthorityRegistry, ids: Iterable<number>) {
  for (const id of ids) {
    if (!registry.get(id)) {
      await registry.refresh(db);
      return;
    }
  }
}
