import type { waterfall } from '../linkage/review-queue.js';
import { comparisonName, levelShort, levelText, percent, signed, timesLikelier } from './words.js';

/*
 * The match-weight waterfall, as Splink draws it: the prior first, then one bar per comparison floating from
 * the running total to the running total plus its weight (term-frequency adjustment included; the household
 * correction is a bar of its own), then the total. The upper and lower thresholds are marked; the band
 * between them is where the engine asks a steward. Drawn as inline SVG from the stored explanation, with the
 * same numbers as a table underneath for screen readers and for reading exact values.
 */

export type WaterfallView = ReturnType<typeof waterfall>;
export type Thresholds = { upper: number; lower: number } | null;

export interface Bar {
  kind: 'prior' | 'comparison' | 'total';
  comparison: string;
  level: string;
  /** Running total before and after the bar (weights, log2 odds). */
  start: number;
  end: number;
  delta: number;
  tfAdjustment: number;
}

/** Weight of a probability: log2(p / (1 − p)). */
export const weightOf = (p: number) => Math.log2(p / (1 - p));

export function waterfallBars(ex: Pick<WaterfallView, 'prior' | 'contributions'>): Bar[] {
  const bars: Bar[] = [{ kind: 'prior', comparison: 'prior', level: '', start: 0, end: ex.prior, delta: ex.prior, tfAdjustment: 0 }];
  let running = ex.prior;
  for (const c of ex.contributions) {
    const delta = c.weight + c.tfAdjustment;
    bars.push({ kind: 'comparison', comparison: c.comparison, level: c.level, start: running, end: running + delta, delta, tfAdjustment: c.tfAdjustment });
    running += delta;
  }
  bars.push({ kind: 'total', comparison: 'total', level: '', start: 0, end: running, delta: running, tfAdjustment: 0 });
  return bars;
}

const SHORT: Record<string, string> = {
  prior: 'Prior',
  total: 'Total',
  given_name: 'First name',
  family_name: 'Family name',
  middle_name: 'Middle name',
  dob: 'Birth date',
  sex: 'Sex',
  ssn: 'SSN',
  phone: 'Phone',
  postcode: 'ZIP',
  street: 'Street',
  other_id: 'Other ID',
  household: 'Household',
};

function niceStep(range: number): number {
  const raw = range / 6;
  for (const s of [1, 2, 5, 10, 20, 50, 100]) if (s >= raw) return s;
  return 200;
}

const fmt = (x: number) => Math.round(x * 100) / 100;
const axisPercent = (p: number) => (p < 0.001 ? '< 0.1 %' : p > 0.999 ? '> 99.9 %' : `${(p * 100).toFixed(p > 0.99 || p < 0.01 ? 1 : 0)} %`);

export function WaterfallChart(props: { ex: WaterfallView; thresholds: Thresholds; id?: string }) {
  const { ex, thresholds } = props;
  const id = props.id ?? 'waterfall';
  const bars = waterfallBars(ex);
  const upper = thresholds ? weightOf(thresholds.upper) : undefined;
  const lower = thresholds ? weightOf(thresholds.lower) : undefined;
  const values = [0, ...bars.flatMap((b) => [b.start, b.end]), ...(upper === undefined ? [] : [upper]), ...(lower === undefined ? [] : [lower])];
  const step = niceStep(Math.max(...values) - Math.min(...values) || 1);
  const hi = Math.ceil((Math.max(...values) + 0.5) / step) * step;
  const lo = Math.floor((Math.min(...values) - 0.5) / step) * step;

  const slot = 74;
  const left = 58;
  const right = 74;
  const top = 34;
  const plotH = 260;
  const bottom = 46;
  const width = left + bars.length * slot + right;
  const height = top + plotH + bottom;
  const y = (w: number) => top + ((hi - w) / (hi - lo)) * plotH;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + 1e-9; t += step) ticks.push(t);
  const plotRight = left + bars.length * slot;
  const total = bars[bars.length - 1]!;

  return (
    <figure class="waterfall">
      <svg
        id={id}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        data-top={fmt(hi)}
        data-bottom={fmt(lo)}
        data-plot-top={top}
        data-plot-height={plotH}
        data-total={total.end}
      >
        <title id={`${id}-title`}>How the match weight adds up</title>
        <desc id={`${id}-desc`}>
          {`Starts at the prior ${signed(ex.prior)}; ${bars
            .filter((b) => b.kind === 'comparison')
            .map((b) => `${comparisonName(b.comparison)} ${levelShort(b.level)} ${signed(b.delta)}`)
            .join('; ')}; total ${signed(total.end)}, a match probability of ${percent(ex.probability)}.`}
        </desc>
        {thresholds && upper !== undefined && lower !== undefined ? (
          <g class="zones">
            <rect class="zone-review" x={left} width={plotRight - left} y={y(upper)} height={Math.max(0, y(lower) - y(upper))} />
            <line class="threshold upper" x1={left} x2={plotRight} y1={y(upper)} y2={y(upper)} data-threshold="upper" data-weight={upper} />
            <line class="threshold lower" x1={left} x2={plotRight} y1={y(lower)} y2={y(lower)} data-threshold="lower" data-weight={lower} />
            <g class="legend">
              <line class="threshold upper" x1={left} x2={left + 28} y1={10} y2={10} />
              <text class="threshold-label" x={left + 34} y={14}>{`upper threshold: linked automatically above ${percent(thresholds.upper)}`}</text>
              <line class="threshold lower" x1={left + 330} x2={left + 358} y1={10} y2={10} />
              <text class="threshold-label" x={left + 364} y={14}>{`lower threshold: a new person below ${percent(thresholds.lower)}`}</text>
              <rect class="zone-review" x={left + 640} y={4} width={28} height={12} />
              <text class="threshold-label" x={left + 674} y={14}>
                between them: a steward decides
              </text>
            </g>
          </g>
        ) : null}
        <g class="axis">
          {ticks.map((t) => (
            <g>
              <line class={t === 0 ? 'zero' : 'grid'} x1={left} x2={plotRight} y1={y(t)} y2={y(t)} />
              <text class="tick" x={left - 6} y={y(t) + 4} text-anchor="end">
                {signed(t, 0)}
              </text>
              <text class="tick" x={plotRight + 6} y={y(t) + 4}>
                {axisPercent(1 / (1 + 2 ** -t))}
              </text>
            </g>
          ))}
          <text class="axis-title" x={12} y={top + plotH / 2} transform={`rotate(-90 12 ${top + plotH / 2})`} text-anchor="middle">
            match weight
          </text>
          <text class="axis-title" x={width - 6} y={top - 10} text-anchor="end">
            probability
          </text>
        </g>
        <g class="bars">
          {bars.map((b, i) => {
            const x = left + i * slot + 10;
            const w = slot - 20;
            const y0 = y(Math.max(b.start, b.end));
            const h = Math.abs(y(b.start) - y(b.end));
            const cls = b.kind === 'comparison' ? (b.delta >= 0 ? 'pos' : 'neg') : b.kind;
            const label = b.kind === 'comparison' ? `${comparisonName(b.comparison)}: ${levelText(b.level)} — ${signed(b.delta, 2)}, ${timesLikelier(b.delta)}` : b.kind === 'prior' ? `Prior ${signed(b.delta, 2)}` : `Total ${signed(b.end, 2)}: ${percent(ex.probability)}`;
            const next = bars[i + 1];
            return (
              <g class={`bar ${cls}`} data-kind={b.kind} data-comparison={b.comparison} data-level={b.level} data-start={b.start} data-end={b.end} data-delta={b.delta}>
                <title>{label}</title>
                <rect x={x} y={y0} width={w} height={Math.max(h, 1)} />
                {next && next.kind === 'comparison' ? <line class="connector" x1={x + w} x2={x + slot} y1={y(b.end)} y2={y(b.end)} /> : null}
                <text class="value" x={x + w / 2} y={b.delta >= 0 || b.kind === 'total' ? y0 - 4 : y0 + Math.max(h, 1) + 12} text-anchor="middle">
                  {b.kind === 'total' ? signed(b.end) : signed(b.delta)}
                </text>
                <text class="label" x={x + w / 2} y={top + plotH + 16} text-anchor="middle">
                  {SHORT[b.comparison] ?? b.comparison}
                </text>
                {b.level ? (
                  <text class="sublabel" x={x + w / 2} y={top + plotH + 30} text-anchor="middle">
                    {levelShort(b.level)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </g>
      </svg>
      <figcaption>
        Each bar is one piece of evidence: green bars make a match more likely, red bars less likely. They start from the prior (how rare a
        match is between two records picked at random) and add up to the total on the right; the scale on the right turns a weight into a
        probability.
      </figcaption>
    </figure>
  );
}

/** The same numbers, in words, as a table. */
export function WaterfallTable(props: { ex: WaterfallView }) {
  const { ex } = props;
  const bars = waterfallBars(ex);
  return (
    <table class="explain">
      <caption>How the score adds up</caption>
      <thead>
        <tr>
          <th scope="col">Evidence</th>
          <th scope="col">What the two records show</th>
          <th scope="col" class="num">
            Weight
          </th>
          <th scope="col">Meaning</th>
          <th scope="col" class="num">
            Running total
          </th>
          <th scope="col" class="num">
            Probability so far
          </th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">Starting point</th>
          <td>before looking at any detail: the chance that two records picked at random are one person ({percent(ex.priorProbability)})</td>
          <td class="num">{signed(ex.prior, 2)}</td>
          <td>the prior</td>
          <td class="num">{signed(ex.prior, 2)}</td>
          <td class="num">{percent(ex.priorProbability)}</td>
        </tr>
        {ex.contributions.map((c, i) => {
          const b = bars[i + 1]!;
          return (
            <tr class={b.delta >= 0 ? 'pos' : 'neg'}>
              <th scope="row">{comparisonName(c.comparison)}</th>
              <td>
                {levelText(c.level)}
                {Math.abs(c.tfAdjustment) >= 0.05 ? <span class="muted">{` (${signed(c.tfAdjustment)} because the name is ${c.tfAdjustment > 0 ? 'rare' : 'common'})`}</span> : null}
              </td>
              <td class="num">{signed(c.total, 2)}</td>
              <td>{timesLikelier(c.total)}</td>
              <td class="num">{signed(c.cumulative, 2)}</td>
              <td class="num">{percent(c.probabilityAfter)}</td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td>all the evidence together</td>
          <td class="num">{signed(ex.weight, 2)}</td>
          <td></td>
          <td class="num">{signed(ex.sum, 2)}</td>
          <td class="num">{percent(ex.probability)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
