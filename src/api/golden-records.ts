import { Hono } from 'hono';
import { z } from 'zod';
import type { Authority, AuthorityRegistry } from '../ingest/authorities.js';
import { systemOf } from '../ingest/authorities.js';
import { demographicsSchema, type Demographics } from '../ingest/demographics.js';
import { goldenDetail } from '../linkage/golden-records.js';
import type { Db } from '../storage/db.js';
import type { AuthVariables } from './auth.js';
import { ApiError } from './errors.js';
import { actorOf, auditRead, goldenIdParam, goldenIdSchema, knowAuthorities } from './input.js';
import { component, type RouteDoc } from './openapi.js';

/** A golden record as a steward reads it: what survived and from where, who is in it, how they got there. */

/** The SSN is a matching attribute: the API shows its last four digits, enough to tell two apart. */
export const demographicsView = component(
  'Demographics',
  demographicsSchema.omit({ ssn: true }).extend({ ssnLast4: z.string().optional().meta({ description: 'last four digits of the SSN, when known' }) }),
  'Demographics as received (source records) or survived (golden records); the SSN only as its last four digits.',
);

function view(d: Demographics): z.infer<typeof demographicsView> {
  const { ssn, ...rest } = d;
  return ssn ? { ...rest, ssnLast4: ssn.slice(-4) } : rest;
}

const identity = {
  system: z.string().nullable().meta({ description: 'urn:oid:<OID>, or the namespace of an authority without an OID' }),
  identifier: z.string(),
};

export const goldenRecordSchema = component(
  'GoldenRecord',
  z.object({
    id: z.guid(),
    status: z.enum(['active', 'merged']),
    mergedIntoId: z.guid().nullable().meta({ description: 'the golden record that absorbed this one (status merged)' }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    demographics: demographicsView.nullable(),
    provenance: z
      .record(z.string(), z.object({ sourceRecordId: z.number().int(), ...identity }))
      .meta({ description: 'per survived field (names, birthDate, …), the source record it was taken from; `all` before the first survivorship pass' }),
    sourceRecords: z.array(
      z.object({
        id: z.number().int(),
        ...identity,
        namespace: z.string().nullable(),
        oid: z.string().nullable(),
        type: z.string().nullable(),
        status: z.enum(['active', 'merged']),
        mergedIntoId: z.number().int().nullable().meta({ description: 'the surviving source record of an A40' }),
        sender: z.string().nullable(),
        linkKind: z.string().nullable().meta({ description: 'new | asserted | a40 | auto | steward' }),
        score: z.number().nullable(),
        modelVersion: z.number().int().nullable(),
        since: z.string().nullable().meta({ description: 'when the current link was made' }),
        lastMessageId: z.number().int().nullable(),
        updatedAt: z.string(),
        demographics: demographicsView,
      }),
    ),
    links: z.array(
      z.object({
        id: z.number().int(),
        sourceRecordId: z.number().int(),
        ...identity,
        kind: z.string(),
        score: z.number().nullable(),
        modelVersion: z.number().int().nullable(),
        messageId: z.number().int().nullable(),
        createdAt: z.string(),
        removedAt: z.string().nullable(),
        removedReason: z.string().nullable(),
      }),
    ),
    reviewItems: z.array(
      z.object({
        id: z.number().int(),
        sourceRecordId: z.number().int(),
        goldenId: z.guid().nullable().meta({ description: 'the golden record the source record waits in' }),
        candidateGoldenId: z.guid(),
        candidateRecordId: z.number().int(),
        probability: z.number(),
        reasons: z.array(z.string()),
        modelVersion: z.number().int(),
        createdAt: z.string(),
      }),
    ),
  }),
  'A golden record with its source records, the history of its links (closed ones with their reason) and the open review items on either side.',
);

export const goldenRecordDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/golden-records/:id',
    summary: 'A golden record: survived demographics with provenance, source records, link history, open review items',
    description: 'A merged golden record is returned as it was retired, with mergedIntoId. Audited.',
    tags: ['golden records'],
    role: 'reader',
    params: z.object({ id: goldenIdSchema }),
    responses: { 200: { description: 'the golden record', schema: goldenRecordSchema } },
    errors: ['bad_request', 'not_found'],
  },
];

export type GoldenRecordView = z.infer<typeof goldenRecordSchema>;

/** One golden record as the API shows it, audited (`golden.read`); not_found when there is none. */
export async function readGoldenRecord(db: Db, registry: AuthorityRegistry, id: string, actor: string): Promise<GoldenRecordView> {
  const detail = await goldenDetail(db, id);
  await auditRead(db, actor, 'golden.read', 'golden_record', detail ? [id] : [], {});
  if (!detail) throw new ApiError('not_found', 'golden record not found');
  const { golden, members, links, reviews } = detail;
  const provenanceIds = Object.values(golden.provenance ?? {});
  await knowAuthorities(db, registry, [...members, ...links].map((m) => m.authorityId));
  const authority = (authorityId: number) => {
    const a: Authority | undefined = registry.get(authorityId);
    return { system: a ? systemOf(a) : null, namespace: a?.namespace ?? null, oid: a?.oid ?? null };
  };
  const byId = new Map(members.map((m) => [m.id, m]));
  // Provenance may name a record that has left since (survivorship runs when members change, so rarely).
  const missing = provenanceIds.filter((p) => !byId.has(p));
  const others = missing.length ? links.filter((l) => missing.includes(l.sourceRecordId)) : [];
  const provenance: Record<string, { sourceRecordId: number; system: string | null; identifier: string }> = {};
  for (const [field, recordId] of Object.entries(golden.provenance ?? {})) {
    const m = byId.get(recordId) ?? others.find((l) => l.sourceRecordId === recordId);
    if (m) provenance[field] = { sourceRecordId: recordId, system: authority(m.authorityId).system, identifier: m.identifier };
  }
  const body: z.infer<typeof goldenRecordSchema> = {
    id: golden.id,
    status: golden.status,
    mergedIntoId: golden.mergedIntoId,
    version: golden.version,
    createdAt: golden.createdAt,
    updatedAt: golden.updatedAt,
    demographics: golden.demographics ? view(golden.demographics) : null,
    provenance,
    sourceRecords: members.map((m) => {
      const a = authority(m.authorityId);
      return {
        id: m.id,
        system: a.system,
        identifier: m.identifier,
        namespace: a.namespace,
        oid: a.oid,
        type: m.identifierType,
        status: m.status,
        mergedIntoId: m.mergedIntoId,
        sender: m.sender,
        linkKind: m.linkKind,
        score: m.score,
        modelVersion: m.modelVersion,
        since: m.since,
        lastMessageId: m.lastMessageId,
        updatedAt: m.updatedAt,
        demographics: view(m.demographics),
      };
    }),
    links: links.map((l) => ({
      id: l.id,
      sourceRecordId: l.sourceRecordId,
      system: authority(l.authorityId).system,
      identifier: l.identifier,
      kind: l.kind,
      score: l.score,
      modelVersion: l.modelVersion,
      messageId: l.messageId,
      createdAt: l.createdAt,
      removedAt: l.removedAt,
      removedReason: l.removedReason,
    })),
    reviewItems: reviews,
  };
  return body;
}

export function goldenRecordRoutes(db: Db, registry: AuthorityRegistry) {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/golden-records/:id', async (c) => c.json(await readGoldenRecord(db, registry, goldenIdParam(c), actorOf(c))));
  return app;
}
