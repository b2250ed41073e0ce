import { z } from 'zod';

/**
 * The outbox event contract (DESIGN §6): every change to who-is-who writes one of these in the same
 * transaction as the change. The envelope is versioned (`specversion`); a consumer can validate with these
 * schemas (they are the types the code emits with, so the two cannot drift apart). `subject` is the golden
 * record a consumer should re-read; the event `id` (outbox row) is the delivery dedup key.
 */
const goldenId = z.uuid();
const messageId = z.number().int().nullable();
const linkKind = z.enum(['new', 'asserted', 'a40', 'auto', 'steward']);

export const eventDataSchemas = {
  'golden.created': z.object({ goldenId, messageId }),
  'link.created': z.object({
    goldenId,
    sourceRecordId: z.number().int(),
    /** urn:oid:<OID>, or the namespace of an authority without an OID. */
    system: z.string().nullable(),
    value: z.string(),
    kind: linkKind,
    /** Match probability and model version of an automatic link. */
    score: z.number().optional(),
    modelVersion: z.number().int().optional(),
    messageId,
  }),
  'link.removed': z.object({ goldenId, sourceRecordId: z.number().int(), system: z.string().nullable(), value: z.string(), reason: z.string(), messageId }),
  'review.opened': z.object({
    sourceRecordId: z.number().int(),
    /** The golden record the source record is in while it waits. */
    goldenId: goldenId.nullable(),
    candidateGoldenId: goldenId,
    candidateRecordId: z.number().int(),
    probability: z.number(),
    reasons: z.array(z.string()),
    modelVersion: z.number().int(),
    messageId,
  }),
  'golden.merged': z.object({ from: goldenId, into: goldenId, reason: z.string(), sourceRecordIds: z.array(z.number().int()), messageId }),
  'source.merged': z.object({ goldenId, retiredId: z.number().int(), survivorId: z.number().int(), messageId }),
  /**
   * A steward undid a merge (or an automatic link): `goldenId` is active again with `sourceRecordIds`, which
   * leave `from`. `mergeEventId` is the golden.merged event undone, when there was one.
   */
  'golden.unmerged': z.object({ goldenId, from: goldenId, mergeEventId: z.uuid().nullable(), sourceRecordIds: z.array(z.number().int()), messageId }),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.input<(typeof eventDataSchemas)[T]>;

export const eventEnvelopeSchema = z.object({
  specversion: z.literal(1),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  subject: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** Validates an event payload as stored in outbox_events.payload. */
export function parseEvent(payload: unknown) {
  const env = eventEnvelopeSchema.parse(payload);
  return { ...env, data: eventDataSchemas[env.type].parse(env.data) };
}
