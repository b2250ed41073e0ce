// Types for the deep CommonJS paths of `natural` that this package imports. `natural`'s own typings only
// describe its package root, which must never be imported here: loading the package root pulls in every storage
// backend (mongoose, redis, pg) and runs `dotenv.config()`, which reads `.env` and prints. The deep files
// below are plain CommonJS; under Node's ESM loader (tsx, vitest) a default import yields `module.exports`.

declare module 'natural/lib/natural/distance/jaro-winkler_distance.js' {
  interface JaroWinklerOptions {
    ignoreCase?: boolean;
    /** A Jaro similarity computed elsewhere; skips the Jaro step. */
    dj?: number;
  }
  function JaroWinklerDistance(s1: string, s2: string, options?: JaroWinklerOptions): number;
  export = JaroWinklerDistance;
}

declare module 'natural/lib/natural/distance/levenshtein_distance.js' {
  interface EditDistanceOptions {
    insertion_cost?: number;
    deletion_cost?: number;
    substitution_cost?: number;
    transposition_cost?: number;
    /** Damerau only: optimal string alignment (no substring edited twice). */
    restricted?: boolean;
  }
  interface LevenshteinModule {
    LevenshteinDistance(source: string, target: string, options?: EditDistanceOptions): number;
    DamerauLevenshteinDistance(source: string, target: string, options?: EditDistanceOptions): number;
  }
  const mod: LevenshteinModule;
  export = mod;
}
