import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'drizzle-orm';
import { keyId } from '../../src/api/auth.js';
import { query } from '../../src/storage/db.js';
import { launchChromium } from '../helpers/browser.js';
import { backends } from '../helpers/db.js';
import { acceptedSender, ADMIN_KEY, READER_KEY, startTestService, type TestService } from '../helpers/service.js';
import { OID_A, OID_B } from '../helpers/adt.js';

/*
 * The steward UI in a real browser (headless Debian Chromium driven by playwright-core), end to end: records
 * fed over MLLP open review items (a same-source duplicate, a twin-like pair, a duplicate named <script>);
 * a steward signs in, steps through the queue with the keyboard, reads the pair and its waterfall, answers
 * "match" with m and "not a match" with the button; the REST API confirms both; a reader is refused (403) on
 * the page; a decision on an item someone else resolved meanwhile gets the 409 page, which reloads the item.
 * A 1366×768 screenshot of the pair view is kept under test-artifacts/.
 */

const STEWARD_KEY = 'test-steward-key-0123456789';
const A = (id: string) => `${id}^^^HOSPA&${OID_A}&ISO^MR`;
const B = (id: string) => `${id}^^^CLINIC&${OID_B}&ISO^MR`;
const ARTIFACTS = resolve('test-artifacts');
const VIEWPORT = { width: 1366, height: 768 };

describe.each(backends)('steward UI in Chromium on $name', (backend) => {
  let t: TestService;
  let browser: Browser;
  let base: string;
  const item: Record<'duplicate' | 'twins' | 'evil', { id: number; version: number }> = {} as never;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const api = async (path: string, init: RequestInit & { key?: string } = {}) => {
    await t.service.worker.idle();
    const res = await t.http(path, { key: STEWARD_KEY, ...init });
    return { status: res.status, body: (await res.json()) as any };
  };

  async function newPage(): Promise<Page> {
    needBrowser();
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    const page = await context.newPage();
    // Any dialog would be script we did not write running in the page; a console error is usually a CSP refusal.
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => {
      // The refusals these tests provoke on purpose are logged by the browser as failed loads.
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|409)\b/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
  }

  async function signIn(page: Page, key: string) {
    await page.goto(`${base}/ui/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/ui/sign-in');
    await page.getByLabel('API key').fill(key);
    await Promise.all([page.waitForURL(/\/ui\/queue$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  }

  let noBrowser: Error | undefined;
  /** Each test fails, with the reason, when Chromium cannot start: never a silent skip. */
  const needBrowser = () => {
    if (noBrowser) throw noBrowser;
  };

  beforeAll(async () => {
    try {
      browser = await launchChromium();
    } catch (e) {
      noBrowser = e as Error;
      return;
    }
    t = await startTestService(
      backend,
      {
        authorities: [
          { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
          { namespace: 'CLINIC', oid: OID_B, name: 'Clinic', trustRank: 5 },
        ],
      },
      { MPI_API_KEYS: `${ADMIN_KEY}:admin,${READER_KEY}:reader,${STEWARD_KEY}:steward` },
    );
    base = `http://127.0.0.1:${t.service.httpPort}`;
    const send = acceptedSender(() => t, 'BR');
    // A source's own duplicate: the second registration moved house and gave no phone.
    await send({ pid3: A('SD1'), name: 'ABERCROMBIE^LUCINDA^^^^^L', dob: '19660930', sex: 'F', address: '19 FOXGLOVE CT^^URBANA^IL^61801', phone: '^PRN^PH^^^217^5554488' });
    await send({ pid3: A('SD2'), name: 'ABERCROMBIE^LUCINDA^^^^^L', dob: '19660930', sex: 'F', address: '1200 RIVER RD^^URBANA^IL^61801', phone: '' });
    // Twin-like: same family name and birth date, two real given names, and nothing showing where they live.
    await send({ pid3: A('TW1'), name: 'KINCAID^JAYDEN^^^^^L', dob: '20100412', sex: 'M', address: '', phone: '' });
    await send({ app: 'CLINICAPP', pid3: B('TW2'), name: 'KINCAID^JAYLEN^^^^^L', dob: '20100412', sex: 'M', address: '', phone: '' });
    // A name that would run as script if the page did not escape it.
    for (const id of ['XS1', 'XS2']) await send({ pid3: A(id), name: '<script>alert(1)</script>^ROSALIND^^^^^L', dob: '19710304', sex: 'F', address: '4 QUINCE ST^^URBANA^IL^61801', phone: '^PRN^PH^^^217^5551201' });
    await t.service.worker.idle();
    for (const [tag, identifier] of [['duplicate', 'SD2'], ['twins', 'TW2'], ['evil', 'XS2']] as const) {
      const [row] = await query<{ id: number; version: number }>(
        t.fresh.database.db,
        sql`select r.id::int as id, r.version from review_items r join source_records s on s.id = r.source_record_id where s.identifier = ${identifier} and r.status = 'open'`,
      );
      expect(row, `a review item for ${identifier}`).toBeDefined();
      item[tag] = row!;
    }
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.stop();
  });

  it('signs a steward in, opens the queue and the pair view by keyboard, and draws the waterfall', async () => {
    const page = await newPage();
    // A wrong key first: the page says so and no session starts.
    await page.goto(`${base}/ui/queue`);
    await page.getByLabel('API key').fill('this-is-not-a-key-we-know');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('That key is not valid here');
    await signIn(page, STEWARD_KEY);

    await expect.poll(() => page.locator('#queue-summary').textContent()).toContain('3 items match');
    expect(await page.locator('header .who').textContent()).toContain(keyId(STEWARD_KEY));
    const rows = page.locator('tbody[data-rows] tr[data-row]');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute('data-id')).toBe(String(item.duplicate.id));
    await page.screenshot({ path: `${ARTIFACTS}/steward-ui-${backend.name}-queue.png` });

    // j selects the first row (oldest first), Enter opens it.
    await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe(`#${item.duplicate.id}`);
    await Promise.all([page.waitForURL(new RegExp(`/ui/items/${item.duplicate.id}$`)), page.keyboard.press('Enter')]);

    await expect.poll(() => page.locator('h1').textContent()).toContain('Is this the same person?');
    expect(await page.locator('.reasons-box').textContent()).toContain('Both records come from the same source: the source should merge them');
    // Differences are marked, in colour and in words.
    const street = page.locator('table.pair tr[data-field="street"]');
    expect(await street.getAttribute('class')).toBe('differs');
    expect(await street.locator('.verdict').textContent()).toBe('≠ differs');
    expect(await page.locator('table.pair tr[data-field="birthDate"]').getAttribute('class')).toBe('same');

    // The waterfall: prior, a bar per comparison, the total; drawn bars that climb as high as the total stands.
    const chart = page.locator('svg#waterfall');
    expect(await chart.isVisible()).toBe(true);
    const bars = await page.$$eval('svg#waterfall g.bar', (gs) =>
      gs.map((g) => {
        const r = g.querySelector('rect')!.getBoundingClientRect();
        return { kind: g.getAttribute('data-kind'), comparison: g.getAttribute('data-comparison'), delta: Number(g.getAttribute('data-delta')), end: Number(g.getAttribute('data-end')), height: r.height, top: r.top };
      }),
    );
    const detail = (await api(`/api/review-items/${item.duplicate.id}`)).body;
    expect(bars.map((b) => b.comparison)).toEqual(['prior', ...detail.explanation.contributions.map((c: any) => c.comparison), 'total']);
    const total = bars.at(-1)!;
    expect(total.end).toBeCloseTo(detail.explanation.weight, 6);
    expect(bars.slice(0, -1).reduce((s, b) => s + b.delta, 0)).toBeCloseTo(total.end, 6);
    const upper = await chart.locator('line.threshold.upper[data-weight]').getAttribute('data-weight');
    expect(Number(upper)).toBeCloseTo(Math.log2(0.995 / 0.005), 6);
    expect(await page.locator('table.explain tfoot').textContent()).toContain('all the evidence together');

    const shot = `${ARTIFACTS}/steward-ui-${backend.name}-pair.png`;
    await page.screenshot({ path: shot });
    await page.screenshot({ path: `${ARTIFACTS}/steward-ui-${backend.name}-pair-full.png`, fullPage: true });
    console.log(`steward UI screenshot (1366×768): ${shot}`);
  }, 120_000);

  it('resolves one item as a match by keyboard and another as not a match, and the REST API shows both', async () => {
    const page = await newPage();
    await signIn(page, STEWARD_KEY);
    await page.goto(`${base}/ui/items/${item.duplicate.id}`);
    await page.getByLabel('Note (optional)').fill('same DOB and name; moved house');
    // Shortcuts are off while typing; Escape leaves the note, then m decides.
    await page.keyboard.press('Escape');
    await Promise.all([page.waitForURL(new RegExp(`/ui/items/${item.twins.id}\\?done=${item.duplicate.id}-match$`)), page.keyboard.press('m')]);
    await expect.poll(() => page.locator('.message.info').first().textContent()).toContain(`Item #${item.duplicate.id} saved: match`);

    const resolved = (await api(`/api/review-items/${item.duplicate.id}`)).body;
    expect(resolved).toMatchObject({ status: 'resolved', decision: 'match', decidedBy: `api:${keyId(STEWARD_KEY)}`, note: 'same DOB and name; moved house' });
    const xw = await api(`/api/crosswalk?identifier=${encodeURIComponent(`urn:oid:${OID_A}|SD2`)}`);
    expect(xw.status).toBe(200);
    expect(xw.body.identifiers.map((i: any) => i.value).sort()).toEqual(['SD1', 'SD2']);
    const pix = await api(`/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`urn:oid:${OID_A}|SD1`)}`);
    expect(pix.body.parameter.filter((p: any) => p.name === 'targetIdentifier').map((p: any) => p.valueIdentifier.value)).toEqual(['SD2']);

    // Now on the twin-like pair: the reasons say why, and the button says no.
    expect(await page.locator('.reasons-box').textContent()).toContain('possibly twins');
    await page.getByLabel('Note (optional)').fill('twins: JAYDEN and JAYLEN');
    await Promise.all([page.waitForURL(new RegExp(`/ui/items/${item.evil.id}\\?done=${item.twins.id}-non-match$`)), page.getByRole('button', { name: 'Not a match' }).click()]);
    const twins = (await api(`/api/review-items/${item.twins.id}`)).body;
    expect(twins).toMatchObject({ status: 'resolved', decision: 'non-match', decidedBy: `api:${keyId(STEWARD_KEY)}` });
    const apart = await api(`/api/crosswalk?identifier=${encodeURIComponent(`urn:oid:${OID_B}|TW2`)}`);
    expect(apart.body.identifiers.map((i: any) => i.value)).toEqual(['TW2']);

    // The queue counts follow.
    await page.goto(`${base}/ui/queue`);
    expect(await page.locator('#queue-summary').textContent()).toContain('1 item matches');
    expect(await page.locator('.counts').textContent()).toMatch(/Resolved\s*2/);
  }, 120_000);

  it('shows the <script> name as text and lets a reader look but not decide (403 on the page)', async () => {
    const page = await newPage();
    await signIn(page, READER_KEY);
    expect(await page.locator('header .readonly-badge').textContent()).toContain('Read only');
    await page.goto(`${base}/ui/items/${item.evil.id}`);
    expect(await page.locator('table.pair tr[data-field="family"] td').first().textContent()).toBe('<script>alert(1)</script>');
    expect(await page.locator('#readonly-note').textContent()).toContain('reader key, which can view but not decide');
    const match = page.getByRole('button', { name: 'Match: same person' });
    expect(await match.isDisabled()).toBe(true);
    // m does nothing for a reader.
    await page.keyboard.press('m');
    expect(new URL(page.url()).pathname).toBe(`/ui/items/${item.evil.id}`);
    // The server refuses even a form whose buttons were re-enabled by hand.
    await page.evaluate(() => document.querySelectorAll('#decision [disabled]').forEach((e) => e.removeAttribute('disabled')));
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/ui/items/${item.evil.id}/decision`)), match.click()]);
    expect(response.status()).toBe(403);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Not allowed');
    expect(await page.locator('main').textContent()).toContain('Your key can view but not decide');
    expect((await api(`/api/review-items/${item.evil.id}`)).body.status).toBe('open');
  }, 120_000);

  it('tells a steward that someone else resolved the item meanwhile (409) and reloads it', async () => {
    const page = await newPage();
    await signIn(page, STEWARD_KEY);
    await page.goto(`${base}/ui/items/${item.evil.id}`);
    const other = await api(`/api/review-items/${item.evil.id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'non-match', version: item.evil.version, note: 'another steward' }),
    });
    expect(other.status).toBe(200);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/decision')), page.keyboard.press('m')]);
    expect(response.status()).toBe(409);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Someone else resolved this item');
    // The page reloads the item as it now stands.
    await page.waitForURL(new RegExp(`/ui/items/${item.evil.id}$`), { timeout: 10_000 });
    await expect.poll(() => page.locator('.decide .message.info').textContent()).toContain('This item is resolved: not a match');
    expect((await api(`/api/review-items/${item.evil.id}`)).body).toMatchObject({ decision: 'non-match', note: 'another steward' });
  }, 120_000);

  it('opens the golden record and the search from the pages, with nothing loaded from elsewhere and no script of ours failing', async () => {
    const page = await newPage();
    await signIn(page, STEWARD_KEY);
    await page.getByRole('link', { name: 'Find a patient' }).click();
    await page.getByLabel('Family name').fill('abercrombie');
    await page.getByLabel('Date of birth').fill('1966');
    await Promise.all([page.waitForURL(/\/ui\/search\?/), page.getByRole('button', { name: 'Search' }).click()]);
    expect(await page.locator('#results-h').textContent()).toBe('1 person found');
    await Promise.all([page.waitForURL(/\/ui\/golden\//), page.locator('table.results a').first().click()]);
    expect(await page.locator('table.sources').textContent()).toContain('SD2');
    expect(await page.locator('table.sources').textContent()).toContain('linked by a steward');
    expect(await page.locator('table.history').textContent()).toContain('SD1');
    expect(await page.locator('table.survived').textContent()).toContain('ABERCROMBIE');
    expect(problems).toEqual([]);
  }, 120_000);

  it('offers a merge by keyboard on an item asked beside a link, and says why it refuses one', async () => {
    needBrowser();
    const send = acceptedSender(() => t, 'LE');
    const home = { address: '13847 SAN JACINTO ST^^HUMBLE^TX^77338', phone: '^PRN^PH^^^713^5550148' };
    await send({ ...home, pid3: A('LE1'), name: 'VILLANUEVA^ROSARIO^LUZ^^^^L', dob: '19830310', sex: 'F' });
    await send({ pid3: A('LE2'), name: 'VILLANUEVA^ROSARIO^ELENA^^^^L', dob: '19821120', sex: 'F', address: '2002 SUGAR CREEK BLVD^^HUMBLE^TX^77338', phone: '', pid19: '322459362' });
    // The clinic's record links to the first (matching.test.ts has the scores) and asks about the second.
    await send({ ...home, app: 'CLINICAPP', pid3: B('LE3'), name: 'VILLANUEVA^ROSARIO', dob: '19830310', sex: 'F', pid19: '563469362' });
    await t.service.worker.idle();
    const [row] = await query<{ id: number; reasons: string[] }>(
      t.fresh.database.db,
      sql`select r.id::int as id, r.reasons from review_items r join source_records s on s.id = r.source_record_id where s.identifier = 'LE3' and r.status = 'open'`,
    );
    expect(row?.reasons).toEqual(['linked-elsewhere']);
    const page = await newPage();
    await signIn(page, STEWARD_KEY);
    await page.goto(`${base}/ui/items/${row!.id}`);
    await expect.poll(() => page.getByRole('button', { name: /Merge: both golden records are this person/ }).count()).toBe(1);
    // Both golden records hold a record of Hospital A: g is refused, with the reason, and nothing changes.
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/decision')), page.keyboard.press('g')]);
    expect(response.status()).toBe(409);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Not merged: both golden records hold a record of one source');
    expect((await api(`/api/review-items/${row!.id}`)).body).toMatchObject({ status: 'open' });
  }, 120_000);
});
