/**
 * Command-line options of the benches: `--name value`, `--name=value`, and bare `--flag`s. An unknown name, a
 * stray argument or a value-less option is an error, so a mistyped option never silently measures the default.
 */
export interface BenchOptions {
  /** The value given for a name, if any. */
  get(name: string): string | undefined;
  /** Whether a bare flag was given. */
  flag(name: string): boolean;
  /** An integer option: `fallback` when absent; an error below `min` or when not an integer. */
  int(name: string, fallback: number, min: number): number;
}

export function parseBenchOptions(argv: readonly string[], values: readonly string[], flags: readonly string[] = []): BenchOptions {
  const raw = new Map<string, string>();
  const set = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (flags.includes(name) && eq < 0) {
      set.add(name);
      continue;
    }
    if (!values.includes(name)) throw new Error(`unknown option --${name}`);
    if (eq > 0) raw.set(name, a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      raw.set(name, v);
      i++;
    }
  }
  return {
    get: (name) => raw.get(name),
    flag: (name) => set.has(name),
    int(name, fallback, min) {
      const v = raw.get(name);
      const n = v === undefined ? fallback : Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
      return n;
    },
  };
}
