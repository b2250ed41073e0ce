import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { FileConfig } from '../config.js';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import { listDeadLetters, retryDeadLetters } from '../ingest/dead-letters.js';
import type { Applicable } from '../ingest/worker.js';
import { ChangeLog } from '../linkage/changes.js';
import type { Logger } from '../lib/log.js';
import { errorKind } from '../lib/log.js';
import { query, type Database } from '../storage/db.js';
import { requireRole, type ApiKey, type AuthVariables } from './auth.js';
import { crosswalkDocs, crosswalkRoutes } from './crosswalk.js';
import { coreDocs, retryBodySchema } from './docs.js';
import { ApiError, errorResponse } from './errors.js';
import { goldenRecordDocs, goldenRecordRoutes } from './golden-records.js';
import { openApiDocument } from './openapi.js';
import { patientDocs, patientRoutes } from './patients.js';
import { pixmRoutes, type Settle } from './pixm.js';
import { reviewItemDocs, reviewItemRoutes } from './review-items.js';
import { stewardDocs, stewardRoutes } from './steward.js';
import { PatientMatcher } from '../linkage/search.js';
import { loadKnownGivenNames, loadNicknames } from '../linkage/matcher.js';
import { ModelStore } from '../linkage/models.js';
import { SqlStore } from '../linkage/store.js';
import { survivorship } from '../linkage/survivorship.js';
import { stewardUi } from '../ui/routes.js';
import type { SessionOptions } from '../ui/sessions.js';

export interface ApiDeps {
  database: Database;
  registry: AuthorityRegistry;
  keys: ApiKey[];
  logger: Logger;
  config: FileConfig;
  /** Read-your-writes for crosswalk queries (see pixm.ts). */
  settle?: Settle;
  /** Wakes the worker after dead letters were re-queued. */
  onRequeued?: () => void;
  /** Hands the worker a re-queued dead letter as interpreted under the current config. */
  requeued?: (messageId: number, it: Applicable) => void;
  /** FHIR $match scoring; by default the active model with the config's matching settings. */
  patientMatcher?: PatientMatcher;
  /** Steward UI session timing (tests pass a clock). */
  uiSessions?: SessionOptions;
}

function defaultPatientMatcher(deps: ApiDeps) {
  const m = deps.config.matching;
  return new PatientMatcher({
    models: new ModelStore(),
    nicknames: loadNicknames(),
    knownGiven: loadKnownGivenNames(),
    store: new SqlStore(survivorship(m.survivorship, (id) => deps.registry.get(id)?.trustRank ?? 0)),
    maxBlockSize: m.maxBlockSize,
    maxCandidateGoldens: m.maxCandidateGoldens,
  });
}

export async function queueDepths(database: Database) {
  const rows = await query<{ status: string; n: number }>(database.db, sql`select status, count(*)::int as n from messages where status <> 'done' group by status`);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { pending: by.pending ?? 0, failed: by.failed ?? 0, deadLetter: (by.failed ?? 0) + (by.rejected ?? 0) };
}

export function createApi(deps: ApiDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const limit = bodyLimit({ maxSize: 1024 * 1024, onError: () => { throw new ApiError('payload_too_large', 'request body is larger than 1 MiB'); } });
  // A GET or HEAD carries no body that anything reads; asking (bodyLimit reads `c.req.raw.body`) makes the Node
  // adapter build a full fetch Request, abort signal and all, for every crosswalk read.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));

  app.get('/health', async (c) => {
    try {
      const queues = await queueDepths(deps.database);
      const [m] = await query<{ model: number | null; review: number }>(
        deps.database.db,
        sql`select (select version from match_models where active) as model, (select count(*)::int from review_items where status = 'open') as review`,
      );
      return c.json({ status: 'ok', database: { status: 'up', kind: deps.database.kind }, queues, matching: { activeModel: m?.model ?? null, openReviewItems: m?.review ?? 0 } });
    } catch (err) {
      deps.logger.error('health check: database unavailable', errorKind(err));
      return c.json({ status: 'unavailable', database: { status: 'down', kind: deps.database.kind } }, 503);
    }
  });

  app.use('/fhir/*', requireRole(deps.keys, 'reader'));
  app.route('/fhir', pixmRoutes(deps.database.db, deps.registry, deps.settle));
  // After PIXm: /fhir/Patient/$ihe-pix must be matched before /fhir/Patient/:id.
  app.route('/fhir', patientRoutes(deps.database.db, deps.registry, deps.patientMatcher ?? defaultPatientMatcher(deps)));

  app.use('/api/*', requireRole(deps.keys, 'reader'));
  // Steward actions recompute survivorship as the worker does; after one, the worker is woken (onRequeued
  // recounts its backlog) since it skips a batch while a steward holds its lock.
  const steward = { database: deps.database, registry: deps.registry, survive: survivorship(deps.config.matching.survivorship, (id) => deps.registry.get(id)?.trustRank ?? 0) };
  app.route('/api', reviewItemRoutes({ db: deps.database.db, registry: deps.registry, keys: deps.keys, steward, onChanged: deps.onRequeued }));
  app.route('/api', stewardRoutes({ steward, keys: deps.keys, onChanged: deps.onRequeued }));
  app.route('/api', crosswalkRoutes(deps.database.db, deps.registry, deps.settle));
  app.route('/api', goldenRecordRoutes(deps.database.db, deps.registry));
  app.get('/api/events', async (c) => {
    const after = Number(c.req.query('after') ?? 0);
    const limit = Math.min(Number(c.req.query('limit') ?? 100), 1000);
    if (!Number.isSafeInteger(after) || after < 0 || !Number.isSafeInteger(limit) || limit < 1) throw new ApiError('bad_request', 'after and limit must be non-negative integers');
    const events = await query<{ seq: number; id: string; type: string; subject: string | null; payload: unknown; createdAt: string }>(
      deps.database.db,
      sql`select seq::int as seq, id, type, subject, payload, created_at as "createdAt" from outbox_events where seq > ${after} order by seq limit ${limit}`,
    );
    // Events carry identifiers: reading them is a read of patient data.
    const audit = new ChangeLog();
    audit.record(`api:${c.get('apiKey').id}`, 'events.read', 'outbox', `${after}`, null, { count: events.length });
    await audit.flush(deps.database.db);
    return c.json({ events, next: events.length ? events[events.length - 1]!.seq : after });
  });

  app.get('/api/dead-letters', requireRole(deps.keys, 'admin'), async (c) => {
    const limit = Math.min(Number(c.req.query('limit') ?? 100), 1000);
    const after = Number(c.req.query('after') ?? 0);
    if (!Number.isSafeInteger(after) || !Number.isSafeInteger(limit) || limit < 1) throw new ApiError('bad_request', 'after and limit must be integers');
    return c.json({ deadLetters: await listDeadLetters(deps.database.db, limit, after) });
  });
  app.post('/api/dead-letters/retry', requireRole(deps.keys, 'admin'), async (c) => {
    const body = retryBodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) throw new ApiError('bad_request', 'body must be {"ids":[…]} or {"all":true}');
    const outcomes = await retryDeadLetters(deps.database.db, deps.config, deps.registry, body.data, `api:${c.get('apiKey').id}`, deps.requeued);
    if (outcomes.some((o) => o.result === 'requeued')) deps.onRequeued?.();
    return c.json({ outcomes });
  });

  // The steward UI is an app of its own (HTML pages, a session cookie instead of a bearer key, its own error
  // pages and headers); mounted as ALL routes, it stays out of the OpenAPI document, which describes the API.
  const ui = stewardUi({ db: deps.database.db, registry: deps.registry, keys: deps.keys, steward, logger: deps.logger, onChanged: deps.onRequeued, sessions: deps.uiSessions });
  app.all('/ui', (c) => ui.fetch(c.req.raw));
  app.all('/ui/*', (c) => ui.fetch(c.req.raw));

  let openapi: unknown;
  app.get('/openapi.json', requireRole(deps.keys, 'reader'), (c) => c.json((openapi ??= openApiDocument(app.routes, [...coreDocs, ...crosswalkDocs, ...goldenRecordDocs, ...patientDocs, ...reviewItemDocs, ...stewardDocs]))));

  app.notFound((c) => errorResponse(c, new ApiError('not_found', 'no such route')));
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    if (err instanceof HTTPException) return errorResponse(c, new ApiError(err.status === 413 ? 'payload_too_large' : 'bad_request', err.message));
    deps.logger.error('request failed', { ...errorKind(err), path: c.req.routePath });
    return errorResponse(c, new ApiError('internal', 'internal error'));
  });
  return app;
}
