import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../../algorithms/comparators/', import.meta.url));
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => [f, readFileSync(dir + f, 'utf8')] as const);

function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
}

describe('algorithms/comparators stays pure', () => {
  it('has the expected modules', () => {
    expect(sources.map(([f]) => f).sort()).toEqual(
      ['dates.ts', 'identifiers.ts', 'index.ts', 'names.ts', 'phonetic.ts', 'strings.ts'],
    );
  });

  it.each(sources)('%s imports only relative .js files, double-metaphone and natural submodules', (_file, source) => {
    for (const spec of importsOf(source)) {
      const ok =
        (spec.startsWith('./') && spec.endsWith('.js')) ||
        spec === 'double-metaphone' ||
        /^natural\/lib\/natural\/(distance|phonetics)\/[\w-]+\.js$/.test(spec);
      expect(ok, spec).toBe(true);
    }
  });

  it.each(sources)('%s has no I/O, environment, console or clock', (_file, source) => {
    expect(source).not.toMatch(/\bprocess\.|\bconsole\.|\brequire\(|node:|Date\.now|new Date\(|Math\.random/);
  });

  it('does not load natural from its package root (which reads .env and prints)', async () => {
    await import('../../../algorithms/comparators/index.js');
    const loaded = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
    // The deep module is there (so the cache is observable here); the package root is not.
    expect(loaded.some((p) => p.endsWith('natural/lib/natural/distance/levenshtein_distance.js'))).toBe(true);
    expect(loaded.some((p) => /node_modules\/natural\/lib\/natural\/index\.js$/.test(p))).toBe(false);
    expect(loaded.some((p) => /node_modules\/(mongoose|redis|dotenv)\//.test(p))).toBe(false);
  });
});
