import { z } from 'zod';

/**
 * The parameters of a Fellegi-Sunter model, in Splink's vocabulary: a model is a list of comparisons;
 * each comparison is an ordered list of levels (the first level whose condition holds wins); each level
 * has m = P(level | match) and u = P(level | non-match). A null level (a value missing on either side)
 * carries no evidence and has no m or u. λ is the prior probability that two records drawn at random match.
 *
 * The document is versioned and validated at every boundary (file, database, API), so a model that does
 * not add up is refused before it scores anything.
 */
const probability = z.number().gt(0).lt(1);

export const levelSchema = z.discriminatedUnion('isNull', [
  z.object({ label: z.string().min(1), isNull: z.literal(true) }),
  z.object({
    label: z.string().min(1),
    isNull: z.literal(false),
    m: probability,
    u: probability,
    /**
     * Term-frequency adjustment strength in [0, 1] for an exact-agreement level: 1 replaces u by the
     * frequency of the agreeing value (a match on a rare surname counts more than on SMITH), 0 ignores it.
     */
    tfWeight: z.number().min(0).max(1).default(0),
  }),
]);
export type Level = z.infer<typeof levelSchema>;

export const comparisonSchema = z
  .object({
    name: z.string().min(1),
    levels: z.array(levelSchema).min(2),
  })
  .refine((c) => c.levels.filter((l) => !l.isNull).length >= 2, { message: 'a comparison needs at least two non-null levels' })
  .refine((c) => c.levels.findIndex((l) => l.isNull) <= 0, { message: 'the null level, if any, must come first' });
export type Comparison = z.infer<typeof comparisonSchema>;

export const modelSchema = z
  .object({
    /** Monotonic version; the service stores every version and activates one. */
    version: z.number().int().min(1),
    name: z.string().min(1),
    lambda: probability,
    comparisons: z.array(comparisonSchema).min(1),
    /** Decision thresholds on the match probability: ≥ upper links, < lower starts a new golden record. */
    thresholds: z.object({ upper: probability, lower: probability }).refine((t) => t.lower <= t.upper, { message: 'lower must not exceed upper' }),
    /** Smallest term frequency used, so that a value never seen in training is not infinitely rare. */
    minTermFrequency: probability.default(1e-6),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    m.comparisons.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['comparisons', i, 'name'], message: `comparison ${c.name} appears twice` });
      names.add(c.name);
    });
  });
export type Model = z.infer<typeof modelSchema>;

/** Parses and validates a model document, naming the offending path on failure. */
export function parseModel(doc: unknown): Model {
  const r = modelSchema.safeParse(doc);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid match model: ${why}`);
  }
  return r.data;
}
