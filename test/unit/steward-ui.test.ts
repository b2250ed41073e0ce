import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../src/api/auth.js';
import { waterfall } from '../../src/linkage/review-queue.js';
import { sameToken, SessionStore } from '../../src/ui/sessions.js';
import { WaterfallChart, WaterfallTable, waterfallBars, weightOf } from '../../src/ui/waterfall.js';
import { percent, reasonText, timesLikelier } from '../../src/ui/words.js';

/** A stored explanation as the matcher writes it: prior, comparisons, the household correction. */
const stored = {
  prior: Math.log2(0.0001 / 0.9999),
  contributions: [
    { comparison: 'given_name', level: 'jw-high', levelIndex: 3, weight: 4.64, tfAdjustment: 0 },
    { comparison: 'family_name', level: 'exact', levelIndex: 1, weight: 8.7, tfAdjustment: -0.09 },
    { comparison: 'dob', level: 'exact', levelIndex: 1, weight: 14.71, tfAdjustment: 0, m: 0.9, u: 0.0000336 },
    { comparison: 'sex', level: 'else', levelIndex: 2, weight: -4.2, tfAdjustment: 0 },
    { comparison: 'ssn', level: 'null', levelIndex: 0, weight: 0, tfAdjustment: 0 },
    { comparison: 'street', level: 'exact', levelIndex: 1, weight: 11.43, tfAdjustment: 0 },
    { comparison: 'household', level: 'shared-residence', levelIndex: -1, weight: -16.47, tfAdjustment: 0 },
  ],
  weight: 0,
  probability: 0,
};
stored.weight = stored.contributions.reduce((s, c) => s + c.weight + c.tfAdjustment, stored.prior);
stored.probability = 1 / (1 + 2 ** -stored.weight);
const ex = waterfall(stored);
const thresholds = { upper: 0.995, lower: 0.5 };

const attrs = (tag: string) => Object.fromEntries([...tag.matchAll(/([a-z0-9-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

describe('match-weight waterfall', () => {
  it('has the prior, one bar per contribution (household included) and the total, each starting where the last ended', () => {
    const bars = waterfallBars(ex);
    expect(bars.map((b) => b.comparison)).toEqual(['prior', ...stored.contributions.map((c) => c.comparison), 'total']);
    expect(bars[0]).toMatchObject({ kind: 'prior', start: 0, end: stored.prior });
    for (let i = 1; i < bars.length - 1; i++) {
      expect(bars[i]!.start).toBe(bars[i - 1]!.end);
      expect(bars[i]!.end - bars[i]!.start).toBeCloseTo(bars[i]!.delta, 12);
    }
    const total = bars.at(-1)!;
    expect(total).toMatchObject({ kind: 'total', start: 0 });
    expect(total.end).toBeCloseTo(stored.weight, 9);
    expect(bars.slice(0, -1).reduce((s, b) => s + b.delta, 0)).toBeCloseTo(total.end, 9);
  });

  it('draws bars whose drawn heights add up to the total bar, with both thresholds at their weights', async () => {
    const svg = String(await WaterfallChart({ ex, thresholds }));
    const root = attrs(/<svg[^>]*>/.exec(svg)![0]);
    const top = Number(root['data-top']);
    const bottom = Number(root['data-bottom']);
    const plotTop = Number(root['data-plot-top']);
    const plotHeight = Number(root['data-plot-height']);
    const y = (w: number) => plotTop + ((top - w) / (top - bottom)) * plotHeight;
    const px = plotHeight / (top - bottom);

    const groups = [...svg.matchAll(/<g class="bar [a-z]+"([^>]*)>.*?<rect([^>]*)>/g)].map((m) => ({ g: attrs(m[1]!), rect: attrs(m[2]!) }));
    expect(groups).toHaveLength(stored.contributions.length + 2);
    let signedPixels = 0;
    for (const { g, rect } of groups) {
      const start = Number(g['data-start']);
      const end = Number(g['data-end']);
      const rectTop = Number(rect.y);
      const height = Number(rect.height);
      // The rectangle spans exactly from the running total before to the one after (1 px at least, to be seen).
      expect(rectTop).toBeCloseTo(y(Math.max(start, end)), 6);
      expect(height).toBeCloseTo(Math.max(Math.abs(y(start) - y(end)), 1), 6);
      if (g['data-kind'] !== 'total') signedPixels += (end >= start ? 1 : -1) * Math.abs(y(start) - y(end));
    }
    const totalBar = groups.at(-1)!;
    expect(totalBar.g['data-kind']).toBe('total');
    expect(Number(totalBar.g['data-end'])).toBeCloseTo(stored.weight, 9);
    expect(Number(root['data-total'])).toBeCloseTo(stored.weight, 9);
    // Up and down the bars climb exactly as high as the total bar stands.
    expect(signedPixels).toBeCloseTo(stored.weight * px, 6);
    const deltas = groups.filter((x) => x.g['data-kind'] !== 'total').reduce((s, x) => s + Number(x.g['data-delta']), 0);
    expect(deltas).toBeCloseTo(Number(totalBar.g['data-end']), 9);

    const lines = [...svg.matchAll(/<line class="threshold (upper|lower)"([^>]*)>/g)].map((m) => ({ which: m[1], a: attrs(m[2]!) })).filter((l) => l.a['data-weight']);
    expect(lines.map((l) => l.which)).toEqual(['upper', 'lower']);
    expect(Number(lines[0]!.a['data-weight'])).toBeCloseTo(weightOf(0.995), 9);
    expect(Number(lines[0]!.a.y1)).toBeCloseTo(y(weightOf(0.995)), 6);
    expect(Number(lines[1]!.a.y1)).toBeCloseTo(y(0), 6);
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<title id="waterfall-title">/);
  });

  it('puts the numbers in a table in words, the household correction included, adding up to the total', async () => {
    const table = String(await WaterfallTable({ ex }));
    expect(table).toContain('Household correction');
    expect(table).toContain('Date of birth');
    expect(table).toContain('almost the same spelling');
    expect(table).toContain('because the name is common');
    expect(table).toContain('makes a match 26,'); // 2^14.71
    expect(table).toContain('less likely');
  });
});

describe('words', () => {
  it('explains reasons and odds for someone who is not a statistician', () => {
    expect(reasonText('same-authority')).toMatch(/same source: the source should merge them/);
    expect(reasonText('some-new-reason')).toBe('some-new-reason');
    expect(percent(0.0001)).toBe('1 in 10,000');
    expect(percent(0.5)).toBe('50.0 %');
    expect(percent(0.9999999)).toBe('> 99.99 %');
    expect(timesLikelier(1)).toBe('makes a match 2.0× more likely');
    expect(timesLikelier(-10)).toBe('makes a match 1,024× less likely');
    expect(timesLikelier(0)).toBe('makes no difference');
  });
});

describe('UI sessions', () => {
  const key: ApiKey = { id: 'key-abc', role: 'steward', digest: Buffer.alloc(32) };

  it('end after the idle timeout, and each request restarts the idle clock', () => {
    let now = 1_000_000;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 10_000, now: () => now });
    const { id, session } = store.create(key);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrf).not.toBe(id);
    now += 999;
    expect(store.get(id)?.key.id).toBe('key-abc');
    now += 999;
    expect(store.get(id)).toBeDefined();
    now += 1000;
    expect(store.get(id)).toBeUndefined();
    // Once expired it is gone, not revived by a later request.
    now -= 1000;
    expect(store.get(id)).toBeUndefined();
  });

  it('end after the maximum age however active, and on sign-out; unknown ids find nothing', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 3000, now: () => now });
    const a = store.create(key);
    for (let i = 0; i < 5; i++) {
      now += 500;
      expect(store.get(a.id)).toBeDefined();
    }
    now += 500;
    expect(store.get(a.id)).toBeUndefined();
    const b = store.create(key);
    store.destroy(b.id);
    expect(store.get(b.id)).toBeUndefined();
    expect(store.get('nope')).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it('keep at most maxSessions, dropping the least recently used', () => {
    const store = new SessionStore({ maxSessions: 2 });
    const a = store.create(key);
    const b = store.create(key);
    store.get(a.id);
    const c = store.create(key);
    expect(store.size).toBe(2);
    expect(store.get(b.id)).toBeUndefined();
    expect(store.get(a.id)).toBeDefined();
    expect(store.get(c.id)).toBeDefined();
  });

  it('compares tokens in constant time and never equal to nothing', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', 'abcd')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(undefined, 'x')).toBe(false);
  });
});
