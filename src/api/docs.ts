import { z } from 'zod';
import { eventEnvelopeSchema } from '../linkage/events.js';
import { safeText } from './input.js';
import { component, type RouteDoc } from './openapi.js';

/**
 * RouteDocs of the routes that predate the OpenAPI document (app.ts, pixm.ts): their schemas, written to
 * what those handlers answer (the tests check the answers against them).
 */

const count = (description: string) => z.string().regex(/^\d+$/).optional().meta({ description });

const healthSchema = component(
  'Health',
  z.object({
    status: z.enum(['ok', 'unavailable']),
    database: z.object({ status: z.enum(['up', 'down']), kind: z.enum(['pglite', 'postgres']) }),
    queues: z.object({ pending: z.number().int(), failed: z.number().int(), deadLetter: z.number().int() }).optional(),
    matching: z.object({ activeModel: z.number().int().nullable(), openReviewItems: z.number().int() }).optional(),
  }),
);

const pixmResponse = component(
  'PixmParameters',
  z.object({
    resourceType: z.literal('Parameters'),
    parameter: z.array(
      z.union([
        z.object({ name: z.literal('targetIdentifier'), valueIdentifier: z.object({ system: z.string(), value: z.string() }) }),
        z.object({ name: z.literal('targetId'), valueReference: z.object({ reference: z.string() }) }),
      ]),
    ),
  }),
  'IHE PIXm ITI-83 response: the other active identifiers of the golden record, and the golden record as targetId.',
);

const eventsSchema = component(
  'Events',
  z.object({
    events: z.array(z.object({ seq: z.number().int(), id: z.guid(), type: z.string(), subject: z.string().nullable(), payload: eventEnvelopeSchema, createdAt: z.string() })),
    next: z.number().int().meta({ description: 'pass as after= to read on' }),
  }),
);

const deadLettersSchema = z.object({
  deadLetters: z.array(
    z.object({
      id: z.number().int(),
      sender: z.string().nullable(),
      controlId: z.string().nullable(),
      messageType: z.string().nullable(),
      status: z.enum(['rejected', 'failed']),
      ackCode: z.string().nullable(),
      errorCode: z.number().int().nullable(),
      error: z.string().nullable(),
      attempts: z.number().int(),
      receivedAt: z.string(),
    }),
  ),
});

export const retryBodySchema = z.union([z.object({ ids: z.array(z.number().int().positive()).min(1).max(10_000) }).strict(), z.object({ all: z.literal(true) }).strict()]);

const retrySchema = z.object({
  outcomes: z.array(z.object({ id: z.number().int(), result: z.enum(['requeued', 'still-failing', 'not-found']), errorCode: z.number().int().optional(), error: z.string().optional() })),
});

export const coreDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Database status, queue depths, active match model, open review items',
    tags: ['operations'],
    role: null,
    responses: { 200: { description: 'up', schema: healthSchema }, 503: { description: 'the database is down', schema: healthSchema } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['operations'],
    role: 'reader',
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
  },
  {
    method: 'get',
    path: '/fhir/Patient/$ihe-pix',
    summary: 'IHE PIXm (ITI-83): the other identifiers of a patient',
    description:
      'Unknown source domain → 400, unknown target domain → 403, unknown identifier → 404. A retired identifier resolves like its survivor. Read-your-writes: waits (5 s at most) for messages already ACKed that name the identifier. Audited.',
    tags: ['FHIR', 'PIXm'],
    role: 'reader',
    query: z.object({
      sourceIdentifier: safeText(400).meta({ description: 'urn:oid:<OID>|<value> (a bare OID or a namespace-only authority’s namespace also work)' }),
      targetSystem: z.string().optional().meta({ description: 'only identifiers of these systems (repeat or comma-separate)' }),
    }),
    responses: { 200: { description: 'Parameters', schema: pixmResponse } },
    errors: ['bad_request', 'unknown_source_domain', 'unknown_target_domain', 'not_found'],
  },
  {
    method: 'get',
    path: '/api/events',
    summary: 'Outbox events in order (golden.created, link.created, link.removed, review.opened, golden.merged, source.merged)',
    description: 'Each payload is the versioned envelope of src/linkage/events.ts. Audited (events carry identifiers).',
    tags: ['events'],
    role: 'reader',
    query: z.object({ after: count('sequence number to read after (default 0)'), limit: count('at most this many (default 100, at most 1000)') }),
    responses: { 200: { description: 'events and the cursor', schema: eventsSchema } },
    errors: ['bad_request'],
  },
  {
    method: 'get',
    path: '/api/dead-letters',
    summary: 'Refused and failed messages with their reasons',
    tags: ['operations'],
    role: 'admin',
    query: z.object({ after: count('message id to read after'), limit: count('at most this many (default 100, at most 1000)') }),
    responses: { 200: { description: 'dead letters', schema: deadLettersSchema } },
    errors: ['bad_request'],
  },
  {
    method: 'post',
    path: '/api/dead-letters/retry',
    summary: 'Re-check dead letters against the current config; those that pass are applied',
    tags: ['operations'],
    role: 'admin',
    body: { schema: retryBodySchema },
    responses: { 200: { description: 'one outcome per message', schema: retrySchema } },
    errors: ['bad_request'],
  },
];
