/**
 * Scoring throughput: Fellegi-Sunter total weights of random comparison vectors, one core.
 *   npm run bench:scoring -- [--vectors 5000000] [--comparisons N]   (default: the person comparisons, 9)
 * Prints one JSON line.
 */
import { compile, totalWeight } from '../algorithms/fellegi-sunter.js';
import { parseModel } from '../algorithms/model.js';
import { COMPARISON_NAMES } from '../algorithms/person-comparisons.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const n = arg('vectors', 5_000_000);
const k = arg('comparisons', COMPARISON_NAMES.length);
const levels = 5;

const model = parseModel({
  version: 1,
  name: 'bench',
  lambda: 0.0001,
  thresholds: { upper: 0.99, lower: 0.5 },
  comparisons: Array.from({ length: k }, (_, c) => ({
    name: `c${c}`,
    levels: [{ label: 'null', isNull: true }, ...Array.from({ length: levels - 1 }, (_, l) => ({ label: `l${l}`, isNull: false, m: 0.9 / (l + 1), u: 0.01 * (l + 1), tfWeight: l === 0 ? 1 : 0 }))],
  })),
});
const cm = compile(model);

// Vectors in one flat typed array, as a blocked candidate set would hand them over.
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const flat = new Uint8Array(n * k);
for (let i = 0; i < flat.length; i++) flat[i] = Math.floor(rand() * levels);
const tf = Array.from({ length: k }, (_, c) => (c < 2 ? 0.001 : undefined));

const score = (withTf: boolean) => {
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sum += totalWeight(cm, flat.subarray(i * k, i * k + k), withTf ? tf : undefined);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSec: Math.round(n / seconds), sum };
};
score(false); // warm-up
const plain = score(false);
const adjusted = score(true);
process.stdout.write(
  JSON.stringify({ bench: 'scoring', vectors: n, comparisons: k, vectorsPerSec: plain.perSec, vectorsPerSecWithTf: adjusted.perSec, checksum: Math.round(plain.sum), node: process.version }) + '\n',
);
