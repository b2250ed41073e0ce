import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createApi } from '../../src/api/app.js';
import { keyId } from '../../src/api/auth.js';
import { createLogger } from '../../src/lib/log.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { ADMIN_KEY, READER_KEY, readAck, startTestService, type TestService } from '../helpers/service.js';
import { adt, OID_A } from '../helpers/adt.js';

/*
 * The steward UI over HTTP, without a browser: sign-in, the session cookie's flags, CSRF and Origin checks,
 * session expiry (a clock the test moves), HTML escaping of patient data, the reader's refusal, the 409 of a
 * stale decision, and the audit rows, which carry the key's id as the REST API's do. The app is a second
 * createApi on the running service's database, driven in-process with app.request.
 */

const STEWARD_KEY = 'test-steward-key-0123456789';
const EVIL = '<script>alert(1)</script>';
const A = (id: string) => `${id}^^^HOSPA&${OID_A}&ISO^MR`;
const ORIGIN = 'http://mpi.test';

type App = ReturnType<typeof createApi>;

/** A browser in miniature: keeps cookies, posts forms, follows nothing. */
class Client {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  constructor(private readonly app: App) {}

  async req(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const res = await this.app.request(`${ORIGIN}${path}`, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, html: await res.text() };
  }

  async signIn(key: string, headers: Record<string, string> = {}) {
    const page = await this.req('/ui/sign-in', { headers });
    const token = hidden(page.html, '_csrf');
    return this.req('/ui/sign-in', { form: { _csrf: token, key, next: '/ui/queue' }, headers });
  }
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
const cookieHeader = (c: Client, name: string) => c.setCookies.filter((s) => s.startsWith(`${name}=`)).at(-1) ?? '';

describe.each(backends)('steward UI over HTTP on $name', (backend) => {
  let t: TestService;
  let app: App;
  let now = Date.now();
  const logLines: string[] = [];
  const items = new Map<string, { id: number; version: number }>();
  const db = () => t.fresh.database.db;

  const itemStatus = async (id: number) => (await query<{ status: string; decision: string | null; decidedBy: string | null }>(db(), sql`select status, decision, decided_by as "decidedBy" from review_items where id = ${id}`))[0];

  beforeAll(async () => {
    t = await startTestService(backend, { authorities: [{ namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 }] }, { MPI_API_KEYS: `${ADMIN_KEY}:admin,${READER_KEY}:reader,${STEWARD_KEY}:steward` });
    const people = [
      { tag: 'evil', ids: ['UE1', 'UE2'], name: `${EVIL}^ROSALIND^^^^^L`, dob: '19710304', address: '4 QUINCE ST^^URBANA^IL^61801', phone: '^PRN^PH^^^217^5551201' },
      { tag: 'decide', ids: ['UD1', 'UD2'], name: 'BRIGHTWATER^CORNELIUS^^^^^L', dob: '19550617', address: '88 TAMARACK DR^^SAVOY^IL^61874', phone: '^PRN^PH^^^217^5551202' },
      { tag: 'stale', ids: ['US1', 'US2'], name: 'FENWICK^ADELAIDE^^^^^L', dob: '19880923', address: '7 BRAMBLE WAY^^TOLONO^IL^61880', phone: '^PRN^PH^^^217^5551203' },
      { tag: 'merge', ids: ['UM1', 'UM2'], name: 'HALVORSEN^PRISCILLA^^^^^L', dob: '19620214', address: '31 LARCH CT^^MAHOMET^IL^61853', phone: '^PRN^PH^^^217^5551204' },
    ];
    let n = 0;
    for (const p of people) {
      for (const id of p.ids) {
        const [ack] = await t.send([adt({ controlId: `UI${++n}`, pid3: A(id), name: p.name, dob: p.dob, sex: 'F', address: p.address, phone: p.phone })]);
        expect(readAck(ack!).code).toBe('AA');
      }
    }
    await t.service.worker.idle();
    for (const p of people) {
      const [row] = await query<{ id: number; version: number }>(db(), sql`select r.id::int as id, r.version from review_items r join source_records s on s.id = r.source_record_id where s.identifier = ${p.ids[1]} and r.status = 'open'`);
      expect(row, p.tag).toBeDefined();
      items.set(p.tag, row!);
    }
    app = createApi({
      database: t.service.database,
      registry: t.service.registry,
      keys: t.service.keys,
      logger: createLogger('debug', {}, (l) => logLines.push(l)),
      config: t.config.file,
      uiSessions: { idleMs: 15 * 60_000, now: () => now },
    });
  });
  afterAll(async () => t?.stop());

  it('sends a visitor without a session to the sign-in page, whose form carries a token in an HttpOnly SameSite=Strict cookie', async () => {
    const c = new Client(app);
    const r = await c.req('/ui/queue?status=open');
    expect(r.status).toBe(303);
    expect(r.location).toBe('/ui/sign-in?next=%2Fui%2Fqueue%3Fstatus%3Dopen');
    const page = await c.req(r.location!);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/^<!doctype html>/);
    expect(page.html).toContain('<label for="key">API key</label>');
    expect(hidden(page.html, 'next')).toBe('/ui/queue?status=open');
    const token = hidden(page.html, '_csrf');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = cookieHeader(c, 'mpi_ui_sign_in');
    expect(cookie).toContain(`mpi_ui_sign_in=${token}`);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/ui/);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    // Everything the page loads is ours.
    for (const [, url] of page.html.matchAll(/(?:src|href)="([^"]*)"/g)) expect(url).toMatch(/^(\/ui\/|#)/);
    expect((await c.req('/ui/assets/ui.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses a wrong key (401, no session) and a sign-in form without its token (403)', async () => {
    const c = new Client(app);
    const wrong = await c.signIn('not-a-key-of-this-service-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('That key is not valid here');
    expect(wrong.html).not.toContain('not-a-key-of-this-service-at-all');
    expect(c.cookies.has('mpi_ui_session')).toBe(false);
    expect((await c.req('/ui/queue')).status).toBe(303);

    const fresh = new Client(app);
    const noToken = await fresh.req('/ui/sign-in', { form: { key: STEWARD_KEY, next: '/ui/queue' } });
    expect(noToken.status).toBe(403);
    expect(fresh.cookies.has('mpi_ui_session')).toBe(false);
    // The token of another browser is no good either.
    const other = new Client(app);
    const otherToken = hidden((await other.req('/ui/sign-in')).html, '_csrf');
    await fresh.req('/ui/sign-in');
    expect((await fresh.req('/ui/sign-in', { form: { _csrf: otherToken, key: STEWARD_KEY } })).status).toBe(403);
    expect(logLines.some((l) => l.includes('steward UI sign-in refused'))).toBe(true);
  });

  it('signs in with a steward key: an opaque HttpOnly SameSite=Strict session cookie, Secure behind HTTPS, never the key', async () => {
    const c = new Client(app);
    const r = await c.signIn(STEWARD_KEY);
    expect(r.status).toBe(303);
    expect(r.location).toBe('/ui/queue');
    const cookie = cookieHeader(c, 'mpi_ui_session');
    const id = c.cookies.get('mpi_ui_session')!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(STEWARD_KEY);
    expect(cookie).not.toContain(keyId(STEWARD_KEY));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/ui/);
    expect(cookie).not.toMatch(/Secure/i);
    expect(cookie).not.toMatch(/Max-Age|Expires/i);
    const queue = await c.req('/ui/queue');
    expect(queue.status).toBe(200);
    expect(queue.html).toContain(keyId(STEWARD_KEY));
    expect(queue.html).toContain('4 items match');

    const https = new Client(app);
    await https.signIn(STEWARD_KEY, { 'x-forwarded-proto': 'https' });
    expect(cookieHeader(https, 'mpi_ui_session')).toMatch(/; Secure/);
    expect(cookieHeader(https, 'mpi_ui_sign_in')).toMatch(/; Secure/);

    // Each sign-in is a new session: two sign-ins with one key do not share an id.
    const again = new Client(app);
    await again.signIn(STEWARD_KEY);
    expect(again.cookies.get('mpi_ui_session')).not.toBe(id);
  });

  it('escapes patient data everywhere it is shown, and what a visitor sends back', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const item = items.get('evil')!;
    const pages = [await c.req('/ui/queue'), await c.req(`/ui/items/${item.id}`)];
    const golden = /href="\/ui\/golden\/([0-9a-f-]{36})"/.exec(pages[1]!.html)![1]!;
    pages.push(await c.req(`/ui/golden/${golden}`));
    pages.push(await c.req(`/ui/search?system=${encodeURIComponent(`urn:oid:${OID_A}`)}&value=UE1`));
    pages.push(await c.req(`/ui/queue?minScore=${encodeURIComponent(`"><script>alert(2)</script>`)}`));
    pages.push(await c.req(`/ui/search?family=${encodeURIComponent(EVIL)}`));
    for (const p of pages) {
      expect(p.html).not.toMatch(/<script>alert/i);
      expect(p.html).not.toMatch(/<script(?! src="\/ui\/assets\/ui\.js" defer="">)/);
    }
    // The name as received, shown as text.
    expect(pages[1]!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(pages[2]!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(pages[3]!.html).toContain('/ui/golden/');
    expect(pages[4]!.status).toBe(400);
    expect(pages[4]!.html).toContain('value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"');
  });

  it('reads through the API functions: the audit rows name the key, as REST reads do', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const item = items.get('decide')!;
    expect((await c.req(`/ui/items/${item.id}`)).status).toBe(200);
    const [read] = await query<{ actor: string; detail: any }>(db(), sql`select actor, detail from audit_log where action = 'review.read' and entity_id = ${String(item.id)} order by id desc limit 1`);
    expect(read!.actor).toBe(`api:${keyId(STEWARD_KEY)}`);
    const [listed] = await query<{ actor: string }>(db(), sql`select actor from audit_log where action = 'review.list' order by id desc limit 1`);
    expect(listed!.actor).toBe(`api:${keyId(STEWARD_KEY)}`);
  });

  it('refuses a state change without the session’s CSRF token, or from another site', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const item = items.get('decide')!;
    const page = await c.req(`/ui/items/${item.id}`);
    const token = hidden(page.html, '_csrf');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const form = { decision: 'match', version: String(item.version), back: '' };

    const none = await c.req(`/ui/items/${item.id}/decision`, { form });
    expect(none.status).toBe(403);
    expect(none.html).toContain('Nothing was changed');
    const other = new Client(app);
    await other.signIn(STEWARD_KEY);
    const otherToken = hidden((await other.req(`/ui/items/${item.id}`)).html, '_csrf');
    expect((await c.req(`/ui/items/${item.id}/decision`, { form: { ...form, _csrf: otherToken } })).status).toBe(403);
    const foreign = await c.req(`/ui/items/${item.id}/decision`, { form: { ...form, _csrf: token }, headers: { origin: 'http://evil.example', host: 'mpi.test' } });
    expect(foreign.status).toBe(403);
    expect(foreign.html).toContain('another site');
    expect((await c.req(`/ui/items/${item.id}/decision`, { form: { ...form, _csrf: token }, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await c.req('/ui/sign-out', { form: { _csrf: 'x' } })).status).toBe(403);
    expect(await itemStatus(item.id)).toMatchObject({ status: 'open', decision: null });
    expect((await c.req('/ui/queue')).status).toBe(200);

    // With its token, from our own page, the decision goes through and the next item follows.
    const ok = await c.req(`/ui/items/${item.id}/decision`, { form: { ...form, _csrf: token, note: 'same person; registration typo', back: 'sort=-age' }, headers: { origin: ORIGIN, host: 'mpi.test', 'sec-fetch-site': 'same-origin' } });
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(new RegExp(`^/ui/(items/\\d+|queue)\\?sort=-age&done=${item.id}-match$`));
    expect(await itemStatus(item.id)).toEqual({ status: 'resolved', decision: 'match', decidedBy: `api:${keyId(STEWARD_KEY)}` });
    const [audit] = await query<{ actor: string; detail: any }>(db(), sql`select actor, detail from audit_log where action = 'review.resolved' and entity_id = ${String(item.id)}`);
    expect(audit).toMatchObject({ actor: `api:${keyId(STEWARD_KEY)}`, detail: { decision: 'match', note: 'same person; registration typo' } });
  });

  it('lets a reader look but not decide (403, shown on the page)', async () => {
    const c = new Client(app);
    expect((await c.signIn(READER_KEY)).status).toBe(303);
    const item = items.get('stale')!;
    const page = await c.req(`/ui/items/${item.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Read only');
    expect(page.html).toMatch(/<button type="submit" name="decision" value="match" class="btn match" disabled=""/);
    const r = await c.req(`/ui/items/${item.id}/decision`, { form: { _csrf: hidden(page.html, '_csrf'), decision: 'match', version: String(item.version) } });
    expect(r.status).toBe(403);
    expect(r.html).toContain('can view but not decide');
    expect(await itemStatus(item.id)).toMatchObject({ status: 'open' });
  });

  it('offers a merge of the two golden records on an item asked beside a link, and says why it refuses one', async () => {
    const item = items.get('merge')!;
    const plain = new Client(app);
    await plain.signIn(STEWARD_KEY);
    // A same-source duplicate's item: match or not, no merge.
    expect((await plain.req(`/ui/items/${item.id}`)).html).not.toContain('value="merge"');
    // Asked beside a link instead (decide.ts alsoAsk): the record's own golden record and the candidate may be one person.
    await t.fresh.database.db.execute(sql`update review_items set reasons = '["linked-elsewhere"]'::jsonb where id = ${item.id}`);
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const page = await c.req(`/ui/items/${item.id}`);
    expect(page.html).toContain('<button type="submit" name="decision" value="merge" class="btn match" aria-keyshortcuts="g"><kbd>g</kbd> Merge: both golden records are this person</button>');
    expect(page.html).toContain('<kbd>g</kbd> merge');
    expect(page.html).toContain('This record is linked to ');
    // Both golden records hold a record of this one hospital: refused with the reason, not as a stale decision.
    const r = await c.req(`/ui/items/${item.id}/decision`, { form: { _csrf: hidden(page.html, '_csrf'), decision: 'merge', version: String(item.version), back: '' } });
    expect(r.status).toBe(409);
    expect(r.html).toContain('Not merged: both golden records hold a record of one source');
    expect(await itemStatus(item.id)).toMatchObject({ status: 'open' });
    // The flash after a merge says what was done.
    expect((await c.req(`/ui/items/${item.id}?done=${item.id}-merge`)).html).toContain(`Item #${item.id} saved: golden records merged.`);
  });

  it('answers a stale decision with 409 “someone else resolved this item” and a reload of the item', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const item = items.get('stale')!;
    const page = await c.req(`/ui/items/${item.id}?sort=score`);
    const r = await c.req(`/ui/items/${item.id}/decision`, { form: { _csrf: hidden(page.html, '_csrf'), decision: 'non-match', version: String(item.version + 1), back: hidden(page.html, 'back') } });
    expect(r.status).toBe(409);
    expect(r.html).toContain('Someone else resolved this item');
    expect(r.html).toContain(`<meta http-equiv="refresh" content="4;url=/ui/items/${item.id}?sort=score"/>`);
    expect(await itemStatus(item.id)).toMatchObject({ status: 'open' });
  });

  it('ends a session after the idle timeout: pages go to sign-in, forms change nothing (401)', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const item = items.get('stale')!;
    const page = await c.req(`/ui/items/${item.id}`);
    now += 14 * 60_000;
    expect((await c.req('/ui/queue')).status).toBe(200);
    now += 14 * 60_000;
    expect((await c.req('/ui/queue')).status).toBe(200);
    now += 15 * 60_000;
    const expired = await c.req('/ui/queue');
    expect(expired.status).toBe(303);
    expect(expired.location).toBe('/ui/sign-in?next=%2Fui%2Fqueue&expired');
    expect(c.cookies.has('mpi_ui_session')).toBe(false);
    expect((await c.req(expired.location!)).html).toContain('Your session has ended');

    const d = new Client(app);
    await d.signIn(STEWARD_KEY);
    const token = hidden((await d.req(`/ui/items/${item.id}`)).html, '_csrf');
    now += 16 * 60_000;
    const late = await d.req(`/ui/items/${item.id}/decision`, { form: { _csrf: token, decision: 'match', version: String(item.version) } });
    expect(late.status).toBe(401);
    expect(late.html).toContain('Your session has ended');
    expect(await itemStatus(item.id)).toMatchObject({ status: 'open' });
    expect(page.status).toBe(200);
  });

  it('signs out: the session is gone for good', async () => {
    const c = new Client(app);
    await c.signIn(STEWARD_KEY);
    const id = c.cookies.get('mpi_ui_session')!;
    const token = hidden((await c.req('/ui/queue')).html, '_csrf');
    const out = await c.req('/ui/sign-out', { form: { _csrf: token } });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/ui/sign-in?signed-out');
    expect(c.cookies.has('mpi_ui_session')).toBe(false);
    c.cookies.set('mpi_ui_session', id);
    expect((await c.req('/ui/queue')).status).toBe(303);
  });

  it('logs no patient data and no key', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      for (const v of ['ROSALIND', 'BRIGHTWATER', 'FENWICK', 'script', 'UE1', 'UD2', STEWARD_KEY, READER_KEY]) expect(line, `log line leaks ${v}`).not.toContain(v);
    }
  });
});
