import { z } from 'zod';
import { fold } from '../../algorithms/normalize/text.js';

/** What a source record says about a person, as stored (jsonb) and handed to linkage. Versioned with `v`. */
export const nameSchema = z.object({
  family: z.string().optional(),
  given: z.string().optional(),
  middle: z.string().optional(),
  suffix: z.string().optional(),
  prefix: z.string().optional(),
  /** HL7 table 0200: L legal, M maiden, A alias, D display, B birth, N nickname… */
  type: z.string().optional(),
});
export const addressSchema = z.object({
  street: z.string().optional(),
  other: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zip: z.string().optional(),
  country: z.string().optional(),
  type: z.string().optional(),
});
export const phoneSchema = z.object({ number: z.string(), use: z.string().optional(), equipment: z.string().optional(), email: z.string().optional() });

export const demographicsSchema = z.object({
  v: z.literal(1),
  names: z.array(nameSchema),
  birthDate: z.string().nullable().optional(),
  birthDatePrecision: z.enum(['year', 'month', 'day']).optional(),
  sex: z.string().nullable().optional(),
  addresses: z.array(addressSchema),
  phones: z.array(phoneSchema),
  /** Digits only. A matching attribute, never a crosswalk key. */
  ssn: z.string().nullable().optional(),
  mothersMaidenName: z.string().optional(),
  deceased: z.boolean().optional(),
  deathDate: z.string().optional(),
  /** Z-segments the sender profile keeps, as received. */
  zSegments: z.array(z.string()).optional(),
});
export type Demographics = z.infer<typeof demographicsSchema>;
export type PersonName = z.infer<typeof nameSchema>;

/**
 * The form of the lookup columns (source_records.family / given, shown in the review list): the matcher's own
 * fold (algorithms/normalize/text.ts), so that ß, Ł, Đ, Ø are spelt out as the matcher reads them, not dropped.
 */
export function foldName(s: string | undefined): string | undefined {
  if (!s) return undefined;
  return fold(s) || undefined;
}

/** The name to index: the first legal name, else the first name given. */
export function primaryName(d: Demographics): PersonName | undefined {
  return d.names.find((n) => n.type === 'L') ?? d.names[0];
}
