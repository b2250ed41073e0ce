import { readFileSync } from 'node:fs';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { findKey, hasRole, type ApiKey } from '../api/auth.js';
import { ApiError } from '../api/errors.js';
import { readGoldenRecord } from '../api/golden-records.js';
import { goldenIdSchema } from '../api/input.js';
import { pdqmSearch } from '../api/patients.js';
import { invalid, listQuerySchema, readReviewItem, reviewQueuePage, type ListQuery } from '../api/review-items.js';
import { systemOf, type AuthorityRegistry } from '../ingest/authorities.js';
import { primaryName } from '../ingest/demographics.js';
import { errorKind, type Logger } from '../lib/log.js';
import { goldenRows, memberIdentities } from '../linkage/golden-records.js';
import { countReviewItems, queueNeighbours, REVIEW_STATUSES, type ListFilter, type ReviewStatus } from '../linkage/review-queue.js';
import { resolveReview, StewardError, type StewardDeps } from '../linkage/steward.js';
import type { Db } from '../storage/db.js';
import { GoldenPage } from './golden.js';
import { decisionWords, ItemPage } from './item.js';
import { MessagePage, SignInPage, type Frame } from './layout.js';
import { QueuePage, queueQuery, type QueueForm } from './queue.js';
import { SearchPage, type SearchForm, type SearchHit } from './search.js';
import { newToken, sameToken, SessionStore, type SessionOptions, type UiSession } from './sessions.js';

/*
 * The data stewards' web page, served at /ui by the API process: server-rendered HTML (hono/jsx escapes
 * every value), one stylesheet and one small script from /ui/assets, nothing from elsewhere (the CSP says
 * so). A steward signs in with an API key once; the browser then holds only an opaque session cookie. Reads
 * and decisions go through the same functions as the REST API (src/api/review-items.ts, golden-records.ts,
 * patients.ts, linkage/steward.ts), so the audit rows are the same, with the key's id as the actor.
 */

export const SESSION_COOKIE = 'mpi_ui_session';
/** Double-submit token of the sign-in form, before there is a session to hold one. */
export const SIGN_IN_COOKIE = 'mpi_ui_sign_in';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const QUEUE_PAGE_SIZE = 25;
const SEARCH_LIMIT = 50;

export interface StewardUiDeps {
  db: Db;
  registry: AuthorityRegistry;
  keys: ApiKey[];
  steward: StewardDeps;
  logger: Logger;
  /** After a decision: wakes the worker, which skips a batch while a steward holds its lock. */
  onChanged?: () => void;
  /** Session timing (tests pass a clock), or a store to share. */
  sessions?: SessionOptions | SessionStore;
}

type Env = { Variables: { session: UiSession; sessionId: string } };

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url));
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'ui.css': { type: 'text/css; charset=utf-8', body: asset('ui.css') },
  'ui.js': { type: 'text/javascript; charset=utf-8', body: asset('ui.js') },
  'favicon.svg': { type: 'image/svg+xml', body: asset('favicon.svg') },
};

async function render(c: Context, page: unknown, status: ContentfulStatusCode = 200) {
  return c.html(`<!doctype html>${String(await page)}`, status);
}

/** Behind a TLS-terminating proxy the request reaches us as http: its X-Forwarded-Proto says what the browser used. */
function isHttps(c: Context) {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

function cookieOptions(c: Context) {
  return { httpOnly: true, sameSite: 'Strict' as const, path: '/ui', secure: isHttps(c) };
}

/** Where to go after signing in: only a page of ours (no //host, no backslash tricks). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/ui\/[A-Za-z0-9/_?=&%.\-]*$/.test(next) && !next.startsWith('/ui//') ? next : '/ui/queue';
}

const field = (form: Record<string, unknown>, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');

/**
 * A queue view's filters and order, read leniently from a query string (the pair view and the decision form
 * carry them): what does not parse is dropped rather than refused, since they only choose what comes next.
 */
function queueView(raw: Record<string, string>, registry: AuthorityRegistry): { form: QueueForm; filter: ListFilter; sort: ListQuery['sort'] } {
  const form: QueueForm = {
    status: (REVIEW_STATUSES as readonly string[]).includes(raw.status ?? '') ? (raw.status as ReviewStatus) : 'open',
    authority: '',
    minScore: '',
    maxScore: '',
    sort: 'age',
  };
  const filter: ListFilter = { status: form.status };
  const a = raw.authority ? registry.findBySystem(raw.authority) : undefined;
  if (a) {
    form.authority = raw.authority!;
    filter.authorityId = a.id;
  }
  for (const k of ['minScore', 'maxScore'] as const) {
    const v = raw[k];
    if (v && /^(0(\.\d+)?|1(\.0+)?)$/.test(v)) {
      form[k] = v;
      filter[k] = Number(v);
    }
  }
  const parsedSort = listQuerySchema.shape.sort.safeParse(raw.sort);
  const sort = parsedSort.success ? parsedSort.data : 'age';
  form.sort = sort;
  return { form, filter, sort };
}

const ITEM_ID = /^[1-9][0-9]{0,15}$/;

export function stewardUi(deps: StewardUiDeps) {
  const sessions = deps.sessions instanceof SessionStore ? deps.sessions : new SessionStore(deps.sessions);
  const idleMinutes = Math.round(sessions.idleMs / 60_000);
  const app = new Hono<Env>({ strict: false }).basePath('/ui');
  const actor = (c: Context<Env>) => `api:${c.get('session').key.id}`;
  const frame = (c: Context<Env>, section?: Frame['section']): Frame => ({ session: c.get('session'), section });
  const authorities = () =>
    deps.registry
      .all()
      .map((a) => ({ value: systemOf(a), label: a.name ?? a.namespace ?? a.oid ?? `authority ${a.id}` }))
      .filter((a) => a.value)
      .sort((x, y) => x.label.localeCompare(y.label));
  const labelOf = (system: string | null) => {
    const a = system ? deps.registry.findBySystem(system) : undefined;
    return a ? (a.name ?? a.namespace ?? a.oid ?? '?') : (system ?? '?');
  };

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    // same-origin, not no-referrer: with no-referrer the browser sends Origin: null on our own forms.
    c.header('Referrer-Policy', 'same-origin');
    // Pages show patient data: no copy in the browser's or a proxy's cache.
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });

  // A form posted from another site is refused before anything reads it (defence in depth beside the
  // SameSite=Strict cookie and the CSRF token).
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      const site = c.req.header('sec-fetch-site');
      const host = c.req.header('x-forwarded-host') ?? c.req.header('host');
      let foreign = site !== undefined && site !== 'same-origin' && site !== 'none';
      // A page with no-referrer policy sends Origin: null; same-origin (ours) sends the origin itself.
      if (origin === 'null') foreign ||= site !== 'same-origin';
      else if (origin !== undefined) {
        try {
          foreign ||= new URL(origin).host !== host;
        } catch {
          foreign = true;
        }
      }
      if (foreign) {
        return render(c, MessagePage({ frame: {}, title: 'Refused', message: 'This form was sent from another site, so it was not accepted.' }), 403);
      }
    }
    await next();
  });

  app.get('/assets/:name', (c) => {
    const a = ASSETS[c.req.param('name')];
    if (!a) return c.text('not found', 404);
    return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, 'cache-control': 'no-cache' });
  });

  // ------------------------------------------------------------------------------------------ sign in / out

  const signInPage = async (c: Context, opts: { next: string; error?: string; notice?: string }, status: ContentfulStatusCode = 200) => {
    const token = newToken();
    setCookie(c, SIGN_IN_COOKIE, token, { ...cookieOptions(c), maxAge: 3600 });
    return render(c, SignInPage({ token, next: opts.next, idleMinutes, error: opts.error, notice: opts.notice }), status);
  };

  app.get('/', (c) => c.redirect('/ui/queue', 303));

  app.get('/sign-in', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (sessions.get(getCookie(c, SESSION_COOKIE))) return c.redirect(next, 303);
    const notice = c.req.query('expired') !== undefined ? 'Your session has ended. Sign in again.' : c.req.query('signed-out') !== undefined ? 'You are signed out.' : undefined;
    return signInPage(c, { next, notice });
  });

  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    if (!sameToken(field(form, '_csrf'), getCookie(c, SIGN_IN_COOKIE))) {
      return signInPage(c, { next, error: 'The sign-in form had expired. Please try again.' }, 403);
    }
    const key = findKey(deps.keys, field(form, 'key').trim());
    if (!key) {
      deps.logger.info('steward UI sign-in refused');
      return signInPage(c, { next, error: 'That key is not valid here. Check it and try again.' }, 401);
    }
    // A new id at every sign-in: a session id planted before signing in is worth nothing after.
    sessions.destroy(getCookie(c, SESSION_COOKIE));
    const { id } = sessions.create(key);
    setCookie(c, SESSION_COOKIE, id, cookieOptions(c));
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/ui', secure: isHttps(c) });
    deps.logger.info('steward UI sign-in', { keyId: key.id, role: key.role });
    return c.redirect(next, 303);
  });

  const signedIn: MiddlewareHandler<Env> = async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = sessions.get(id);
    if (!session) {
      if (id) deleteCookie(c, SESSION_COOKIE, { path: '/ui', secure: isHttps(c) });
      if (c.req.method === 'GET') {
        const u = new URL(c.req.url);
        return c.redirect(`/ui/sign-in?next=${encodeURIComponent(safeNext(u.pathname + u.search))}${id ? '&expired' : ''}`, 303);
      }
      return render(c, MessagePage({ frame: {}, title: 'Signed out', message: 'Your session has ended, so nothing was changed. Sign in again and repeat the action.', links: [{ href: '/ui/sign-in', text: 'Sign in' }] }), 401);
    }
    c.set('session', session);
    c.set('sessionId', id!);
    await next();
  };

  /** The form's fields, once its CSRF token is the session's; undefined (answered 403) otherwise. */
  const checkedForm = async (c: Context<Env>) => {
    const form = await c.req.parseBody();
    return sameToken(field(form, '_csrf'), c.get('session').csrf) ? form : undefined;
  };
  const csrfRefused = (c: Context<Env>) =>
    render(c, MessagePage({ frame: frame(c), title: 'Form out of date', message: 'This form did not carry this session’s security token (it may be from an older session or another site). Nothing was changed: reload the page and try again.' }), 403);

  app.post('/sign-out', signedIn, async (c) => {
    if (!(await checkedForm(c))) return csrfRefused(c);
    sessions.destroy(c.get('sessionId'));
    deleteCookie(c, SESSION_COOKIE, { path: '/ui', secure: isHttps(c) });
    return c.redirect('/ui/sign-in?signed-out', 303);
  });

  // ------------------------------------------------------------------------------------------ queue

  app.get('/queue', signedIn, async (c) => {
    const raw = c.req.query();
    const view = queueView(raw, deps.registry);
    // The filters exactly as given (a wrong one is said, not silently dropped), as the REST list reads them.
    const params = Object.fromEntries(
      (['status', 'authority', 'minScore', 'maxScore', 'sort', 'cursor'] as const).filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]!]),
    );
    const form: QueueForm = { status: view.form.status, authority: raw.authority ?? '', minScore: raw.minScore ?? '', maxScore: raw.maxScore ?? '', sort: view.form.sort };
    const done = /^([1-9][0-9]{0,15})-(match|non-match|merge)$/.exec(raw.done ?? '');
    const flash = done ? `Item #${done[1]} saved: ${decisionWords(done[2]!)}. The queue has nothing further with these filters.` : undefined;
    const parsed = listQuerySchema.safeParse({ ...params, limit: String(QUEUE_PAGE_SIZE) });
    let error: string | undefined;
    let page: Awaited<ReturnType<typeof reviewQueuePage>> | undefined;
    if (!parsed.success) error = invalid(parsed.error).message;
    else {
      try {
        page = await reviewQueuePage(deps, parsed.data, actor(c));
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 'bad_request') throw e;
        error = e.message;
      }
    }
    const filter = page?.filter ?? view.filter;
    const counts = Object.fromEntries(await Promise.all(REVIEW_STATUSES.map(async (s) => [s, await countReviewItems(deps.db, { ...filter, status: s })] as const))) as Record<ReviewStatus, number>;
    return render(
      c,
      QueuePage({
        frame: frame(c, 'queue'),
        items: page?.items ?? [],
        total: page?.total ?? 0,
        nextCursor: page?.nextCursor ?? null,
        counts,
        form,
        authorities: authorities(),
        paged: raw.cursor !== undefined,
        flash,
        error: error && `The filters could not be used: ${error}.`,
      }),
      error ? 400 : 200,
    );
  });

  // ------------------------------------------------------------------------------------------ pair view

  app.get('/items/:id', signedIn, async (c) => {
    const raw = c.req.param('id');
    if (!ITEM_ID.test(raw)) throw new ApiError('bad_request', 'that is not a review item number');
    const id = Number(raw);
    const view = queueView(c.req.query(), deps.registry);
    const item = await readReviewItem(deps, id, actor(c));
    const neighbours = await queueNeighbours(deps.db, id, view.filter, view.sort);
    const done = /^([1-9][0-9]{0,15})-(match|non-match|merge)$/.exec(c.req.query('done') ?? '');
    const flash = done ? `Item #${done[1]} saved: ${decisionWords(done[2]!)}. This is the next one.` : undefined;
    return render(c, ItemPage({ frame: frame(c, 'queue'), item, queueQs: queueQuery(view.form), neighbours, flash }));
  });

  app.post('/items/:id/decision', signedIn, async (c) => {
    const raw = c.req.param('id');
    if (!ITEM_ID.test(raw)) throw new ApiError('bad_request', 'that is not a review item number');
    const id = Number(raw);
    const form = await checkedForm(c);
    if (!form) return csrfRefused(c);
    const back = queueView(Object.fromEntries(new URLSearchParams(field(form, 'back'))), deps.registry);
    const qs = queueQuery(back.form);
    const itemHref = `/ui/items/${id}${qs ? `?${qs}` : ''}`;
    if (!hasRole(c.get('session').key, 'steward')) {
      return render(
        c,
        MessagePage({
          frame: frame(c, 'queue'),
          title: 'Not allowed',
          message: 'Your key can view but not decide: it has the reader role. Nothing was changed. Sign in with a steward key to decide review items.',
          links: [{ href: itemHref, text: 'Back to the item' }],
        }),
        403,
      );
    }
    const decision = field(form, 'decision');
    const version = Number(field(form, 'version'));
    const note = field(form, 'note').trim();
    if ((decision !== 'match' && decision !== 'non-match' && decision !== 'merge') || !Number.isSafeInteger(version) || version < 1 || note.length > 2000) {
      throw new ApiError('bad_request', 'the decision form was incomplete (decision, version, a note of at most 2,000 characters)');
    }
    try {
      await resolveReview(deps.steward, actor(c), id, { decision, version, note: note || null });
    } catch (e) {
      if (e instanceof StewardError && e.code === 'conflict') {
        // A merge refused for two records of one source, or a decision someone else's came before.
        const page =
          e.refusal === 'shared-authority'
            ? {
                title: 'Not merged: both golden records hold a record of one source',
                message:
                  "Merging them would put two active records of one source in one golden record. That source's own merge message (A40) should settle its duplicate first; an administrator can merge anyway through the API (POST /api/golden-records/merge with force). Nothing was changed.",
                links: [{ href: itemHref, text: 'Back to the item' }],
              }
            : {
                title: 'Someone else resolved this item',
                message: 'Someone else resolved or changed this item while you were looking at it, so your decision was not saved. The page reloads with the item as it is now.',
                detail: e.message,
                refresh: { seconds: 4, to: itemHref },
                links: [{ href: itemHref, text: 'Reload now' }],
              };
        return render(c, MessagePage({ frame: frame(c, 'queue'), kind: 'warning', ...page }), 409);
      }
      throw e;
    }
    deps.onChanged?.();
    const { next } = await queueNeighbours(deps.db, id, back.filter, back.sort);
    const doneQs = new URLSearchParams(qs);
    doneQs.set('done', `${id}-${decision}`);
    return c.redirect(next === null ? `/ui/queue?${doneQs}` : `/ui/items/${next}?${doneQs}`, 303);
  });

  // ------------------------------------------------------------------------------------------ golden record

  app.get('/golden/:id', signedIn, async (c) => {
    const r = goldenIdSchema.safeParse(c.req.param('id'));
    if (!r.success) throw new ApiError('bad_request', 'that is not a golden record id');
    const g = await readGoldenRecord(deps.db, deps.registry, r.data.toLowerCase(), actor(c));
    return render(c, GoldenPage({ frame: frame(c, 'golden'), g, label: labelOf }));
  });

  // ------------------------------------------------------------------------------------------ search

  app.get('/search', signedIn, async (c) => {
    const q = c.req.query();
    const form: SearchForm = { family: q.family ?? '', given: q.given ?? '', birthdate: q.birthdate ?? '', system: q.system ?? '', value: q.value ?? '' };
    const page = (extra: { hits?: SearchHit[]; total?: number; error?: string }, status: ContentfulStatusCode = 200) =>
      render(c, SearchPage({ frame: frame(c, 'search'), form, authorities: authorities(), ...extra }), status);
    const values: Record<string, string[]> = {};
    for (const k of ['family', 'given', 'birthdate'] as const) if (form[k].trim()) values[k] = [form[k].trim()];
    if (form.value.trim()) {
      if (!form.system) return page({ error: 'Choose the source of the identifier.' }, 400);
      values.identifier = [`${form.system}|${form.value.trim()}`];
    }
    if (!Object.keys(values).length) return page({});
    values._count = [String(SEARCH_LIMIT)];
    let found: { total: number; ids: string[] };
    try {
      found = (await pdqmSearch(deps.db, deps.registry, values, actor(c))).found;
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) return page({ error: `The search could not be run: ${e.message}.` }, 400);
      throw e;
    }
    const [goldens, members] = await Promise.all([goldenRows(deps.db, found.ids), memberIdentities(deps.db, found.ids)]);
    const byId = new Map(goldens.map((g) => [g.id, g]));
    const hits: SearchHit[] = found.ids.flatMap((id) => {
      const g = byId.get(id);
      if (!g) return [];
      const n = g.demographics ? primaryName(g.demographics) : undefined;
      return [
        {
          id,
          name: n ? [n.given, n.family].filter(Boolean).join(' ') : '',
          birthDate: g.demographics?.birthDate ?? null,
          sex: g.demographics?.sex ?? null,
          identifiers: members.filter((m) => m.goldenId === id).map((m) => {
            const a = deps.registry.get(m.authorityId);
            return { label: a ? (a.name ?? a.namespace ?? a.oid ?? '?') : '?', value: m.identifier, retired: m.status !== 'active' };
          }),
        },
      ];
    });
    return page({ hits, total: found.total });
  });

  // ------------------------------------------------------------------------------------------ errors

  app.notFound((c) => render(c, MessagePage({ frame: {}, title: 'Not found', message: 'There is no such page.', links: [{ href: '/ui/queue', text: 'Review queue' }] }), 404));

  app.onError((err, c) => {
    const session = (c as Context<Env>).get('session') as UiSession | undefined;
    const f: Frame = { session };
    const back = [{ href: '/ui/queue', text: 'Review queue' }];
    if (err instanceof ApiError) {
      const title = err.status === 404 ? 'Not found' : err.status === 400 ? 'Cannot read that' : 'Refused';
      return render(c, MessagePage({ frame: f, title, message: `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`, links: back }), err.status);
    }
    if (err instanceof StewardError) {
      return render(c, MessagePage({ frame: f, title: err.code === 'not_found' ? 'Not found' : 'Refused', message: err.message, links: back }), err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : 400);
    }
    deps.logger.error('steward UI request failed', { ...errorKind(err), path: c.req.routePath });
    return render(c, MessagePage({ frame: f, title: 'Something went wrong', message: 'The page could not be shown. Nothing was changed unless a confirmation said so. Try again in a moment.', links: back }), 500);
  });

  return app;
}
