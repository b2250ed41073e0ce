import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SURVIVING_FIELDS } from './linkage/survivorship.js';

/**
 * One schema for the environment and one for the optional config file (MPI_CONFIG).
 * Every key is documented in the README; a bad value stops start-up with the key's name.
 */

const port = z.coerce.number().int().min(0).max(65535);
const oid = z.string().regex(/^[0-2](\.(0|[1-9][0-9]*))+$/, 'must be an OID like 2.16.840.1.113883.3.72');
const eventCode = z.string().regex(/^A\d\d$/, 'must be an ADT trigger event like A04');

export const SUPPORTED_EVENTS = ['A01', 'A04', 'A08', 'A28', 'A31', 'A40'] as const;

export const envSchema = z.object({
  MPI_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
  MLLP_PORT: port.default(2575),
  MLLP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  MPI_API_KEYS: z.string().optional(),
  MPI_CONFIG: z.string().optional(),
  MPI_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  MPI_DB_POOL: z.coerce.number().int().min(2).max(100).default(8),
  MPI_DB_PREPARE: z.enum(['on', 'off']).default('on'),
});
export type Env = z.infer<typeof envSchema>;

export const authoritySchema = z
  .object({
    namespace: z.string().min(1).optional(),
    oid: oid.optional(),
    name: z.string().optional(),
    /** Higher wins in survivorship. */
    trustRank: z.number().int().default(0),
  })
  .refine((a) => a.namespace || a.oid, { message: 'an authority needs a namespace or an oid' });
export type AuthorityConfig = z.infer<typeof authoritySchema>;

const senderProfileFields = {
  /** Authority (namespace or OID) used when a PID-3 repetition has an empty CX.4. */
  defaultAuthority: z.string().min(1).optional(),
  /** Namespace → OID, for senders that send CX.4 as namespace only. */
  namespaces: z.record(z.string().min(1), oid).default({}),
  /** Where this sender puts the SSN: PID-3 repetitions with these CX.5 types, and/or PID-19. */
  ssn: z
    .object({
      pid3Types: z.array(z.string().min(1)).default(['SS']),
      pid19: z.boolean().default(true),
    })
    .default({ pid3Types: ['SS'], pid19: true }),
  /** CX.5 types that are not person identifiers (account and visit numbers), skipped in PID-3. */
  ignoreIdentifierTypes: z.array(z.string().min(1)).default(['AN', 'VN']),
  acceptedEvents: z.array(eventCode).default([...SUPPORTED_EVENTS]),
  /** Z-segments kept with the source record (as received). */
  keepZSegments: z.array(z.string().regex(/^Z[A-Z0-9]{2}$/)).default([]),
  /**
   * Domains (namespace or OID) this sender is the identity source for. Absent = any. A message must carry
   * at least one identifier in them (others in PID-3 are cross-references), and an A40 may only merge them.
   */
  assigns: z.array(z.string().min(1)).optional(),
  /** An A40 whose MRG-1 identifier the MPI has never seen: `reject` (AE 204) or `retire` it anyway. */
  unknownMergePrior: z.enum(['reject', 'retire']).default('reject'),
  /**
   * A control id (MSH-10) reused with different content: `reject` answers AE 205 (HL7's rule: MSH-10 is
   * unique per sender); `accept` treats it as a new message. An identical resend is a duplicate either way.
   */
  controlIdReuse: z.enum(['reject', 'accept']).default('reject'),
  /** MSH-11 values accepted (P production, T training, D debugging). */
  processingIds: z.array(z.enum(['P', 'T', 'D'])).default(['P', 'T', 'D']),
};

export const senderProfileSchema = z.object({
  /** MSH-3.1 (sending application namespace). */
  application: z.string().min(1),
  /** MSH-4.1 (sending facility namespace); absent = any facility of this application. */
  facility: z.string().min(1).optional(),
  ...senderProfileFields,
});
export type SenderProfileConfig = z.infer<typeof senderProfileSchema>;

export const defaultProfileSchema = z.object(senderProfileFields);
export type ProfileFields = z.infer<typeof defaultProfileSchema>;

/** Ties under `trust` and `complete` go to the most recent record. */
const survivorshipRule = z.enum(['trust', 'recent', 'complete']);

export const fileConfigSchema = z
  .object({
    authorities: z.array(authoritySchema).default([]),
    /**
     * What to do with a CX.4 that is not configured: `oid` registers an authority that comes with an ISO OID
     * (self-describing, as IHE feeds send it); `none` rejects every unconfigured authority with AE 204.
     * A namespace-only CX.4 must always be configured. Default: `oid` while no authority is declared (a
     * quick start takes any OID-qualified feed), `none` once the config declares authorities.
     */
    autoRegisterAuthorities: z.enum(['oid', 'none']).optional(),
    senders: z.array(senderProfileSchema).default([]),
    /** Profile for senders not listed in `senders`; `unknownSenders: reject` answers them AR instead. */
    defaultProfile: defaultProfileSchema.default(defaultProfileSchema.parse({})),
    unknownSenders: z.enum(['accept', 'reject']).default('accept'),
    mllp: z
      .object({
        maxFrameBytes: z.number().int().min(1024).default(1024 * 1024),
        idleTimeoutMs: z.number().int().min(1000).default(300_000),
        tls: z.object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }).optional(),
      })
      .default({ maxFrameBytes: 1024 * 1024, idleTimeoutMs: 300_000 }),
    ingest: z
      .object({
        /** Messages stored per group commit (ACK path). */
        batchMaxMessages: z.number().int().min(1).max(5000).default(256),
        /**
         * Inbox writes in flight at once on PostgreSQL (each a group commit); keep below MPI_DB_POOL. One groups
         * best: every message that arrives while a write commits goes out in the next, and the fewer statements,
         * commits and socket writes leave the 2-core bench machine more CPU for matching (README, figures).
         */
        concurrentWrites: z.number().int().min(1).max(16).default(1),
        /** Messages applied per worker transaction. */
        applyBatchMessages: z.number().int().min(1).max(5000).default(200),
        /** Inbox backlog above which new ACKs wait for the worker (bounds crosswalk lag). */
        maxPending: z.number().int().min(1).default(20_000),
        /** PostgreSQL: the worker applies on a thread of its own (PGlite: always on the service's thread). */
        workerThread: z.boolean().default(true),
      })
      .default({ batchMaxMessages: 256, concurrentWrites: 1, applyBatchMessages: 200, maxPending: 20_000, workerThread: true }),
    matching: z
      .object({
        /** false: every source record gets its own golden record (A40 and shared PID-3 identifiers aside). */
        enabled: z.boolean().default(true),
        /** A blocking key held by more records than this is skipped for candidates (too common to tell anyone apart). */
        maxBlockSize: z.number().int().min(10).max(100_000).default(500),
        /** Golden records compared per incoming record at most, best-sharing first. */
        maxCandidateGoldens: z.number().int().min(1).max(10_000).default(200),
        /** Per-field survivorship of golden records: trust (authority trustRank, higher wins), recent, complete. */
        survivorship: z
          .object({
            default: survivorshipRule.default('trust'),
            fields: z.partialRecord(z.enum(SURVIVING_FIELDS), survivorshipRule).default({}),
          })
          .strict()
          .default({ default: 'trust', fields: {} }),
      })
      .strict()
      .default({ enabled: true, maxBlockSize: 500, maxCandidateGoldens: 200, survivorship: { default: 'trust', fields: {} } }),
    /** Our own MSH-3/MSH-4 in messages we originate (the ACK's MSH-3/4 echo the inbound MSH-5/6). */
    identity: z
      .object({ application: z.string().default('MPI'), facility: z.string().default('MPI') })
      .default({ application: 'MPI', facility: 'MPI' }),
  })
  .strict();
export type FileConfig = Omit<z.infer<typeof fileConfigSchema>, 'autoRegisterAuthorities'> & { autoRegisterAuthorities: 'oid' | 'none' };

export interface Config {
  env: Env;
  file: FileConfig;
  dataDir: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describe(issues: z.core.$ZodIssue[], prefix: string): string {
  return issues
    .map((i) => `${prefix}${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function parseFileConfig(raw: unknown, source = 'config'): FileConfig {
  const r = fileConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`invalid ${source}: ${describe(r.error.issues, '')}`);
  const config: FileConfig = { ...r.data, autoRegisterAuthorities: r.data.autoRegisterAuthorities ?? (r.data.authorities.length ? 'none' : 'oid') };
  checkReferences(config, source);
  return config;
}

/** Cross-key checks zod cannot see: every authority a profile names must be declared or be an OID. */
function checkReferences(c: FileConfig, source: string) {
  const known = new Set<string>();
  for (const a of c.authorities) {
    if (a.namespace) known.add(a.namespace);
    if (a.oid) known.add(a.oid);
  }
  const isOid = (s: string) => oid.safeParse(s).success;
  const profiles: Array<[string, ProfileFields]> = [
    ['defaultProfile', c.defaultProfile],
    ...c.senders.map((s, i) => [`senders.${i}`, s] as [string, ProfileFields]),
  ];
  for (const [path, p] of profiles) {
    if (p.defaultAuthority && !known.has(p.defaultAuthority) && !isOid(p.defaultAuthority)) {
      throw new ConfigError(`invalid ${source}: ${path}.defaultAuthority: "${p.defaultAuthority}" is not a declared authority namespace or an OID`);
    }
    for (const [i, a] of (p.assigns ?? []).entries()) {
      if (!known.has(a) && !isOid(a)) throw new ConfigError(`invalid ${source}: ${path}.assigns.${i}: "${a}" is not a declared authority namespace or an OID`);
    }
    for (const e of p.acceptedEvents) {
      if (!(SUPPORTED_EVENTS as readonly string[]).includes(e)) {
        throw new ConfigError(`invalid ${source}: ${path}.acceptedEvents: ${e} is not supported (supported: ${SUPPORTED_EVENTS.join(', ')})`);
      }
    }
  }
  const seen = new Set<string>();
  for (const a of c.authorities) {
    for (const k of [a.namespace && `ns:${a.namespace}`, a.oid && `oid:${a.oid}`]) {
      if (!k) continue;
      if (seen.has(k)) throw new ConfigError(`invalid ${source}: authorities: ${k.slice(k.indexOf(':') + 1)} is declared twice`);
      seen.add(k);
    }
  }
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (shells and compose files produce them), never "0" or "".
  const present = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined && v !== ''));
  const envParsed = envSchema.safeParse(present);
  if (!envParsed.success) throw new ConfigError(`invalid environment: ${describe(envParsed.error.issues, '')}`);
  const env = envParsed.data;
  let file: FileConfig;
  if (env.MPI_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.MPI_CONFIG, 'utf8');
    } catch (e) {
      throw new ConfigError(`MPI_CONFIG: cannot read ${env.MPI_CONFIG} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`MPI_CONFIG: ${env.MPI_CONFIG} is not valid JSON (${(e as Error).message})`);
    }
    file = parseFileConfig(json, env.MPI_CONFIG);
  } else {
    file = parseFileConfig({});
  }
  return { env, file, dataDir: resolve(env.MPI_DATA_DIR) };
}
