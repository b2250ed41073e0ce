import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { matchWeight } from '../../algorithms/fellegi-sunter.js';
import { parseModel, type Model } from '../../algorithms/model.js';
import { normalizePerson, type Person } from '../../algorithms/person.js';
import { mulberry32 } from '../../algorithms/random.js';
import { trainModel } from '../../algorithms/training.js';
import type { Config } from '../config.js';
import { demographicsSchema } from '../ingest/demographics.js';
import { loadNicknames } from '../linkage/matcher.js';
import { ModelStore } from '../linkage/models.js';
import { databaseFromConfig } from '../main.js';
import { query, type Database } from '../storage/db.js';
import { auditLog } from '../storage/schema/index.js';

export class CliUsageError extends Error {}

const out = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');

/** The parameters as a table a person can read: one row per level, m, u and the weight log2(m/u). */
function describeModel(model: Model): string {
  const rows = [`lambda ${model.lambda.toExponential(3)}   thresholds upper ${model.thresholds.upper} lower ${model.thresholds.lower}`];
  for (const c of model.comparisons) {
    rows.push(c.name);
    for (const l of c.levels) {
      if (l.isNull) rows.push(`  ${l.label.padEnd(28)} (no evidence)`);
      else rows.push(`  ${l.label.padEnd(28)} m ${l.m.toFixed(4)}  u ${l.u.toExponential(2).padStart(9)}  weight ${matchWeight(l.m, l.u).toFixed(2).padStart(7)}`);
    }
  }
  return rows.join('\n');
}

async function withDatabase<T>(config: Config, f: (db: Database) => Promise<T>): Promise<T> {
  const database = await databaseFromConfig(config);
  try {
    return await f(database);
  } finally {
    await database.close();
  }
}

async function audit(db: Database, action: string, entityId: string, detail: Record<string, unknown>) {
  await db.db.insert(auditLog).values({ actor: 'cli', action, entityType: 'match_model', entityId, detail });
}

/**
 * mpi train: u from random pairs and m, λ by EM on blocked pairs (algorithms/training.ts), over the active
 * source records, starting from the active model. Stores a new version; --activate also switches to it.
 * Reads with a plain snapshot and computes in this process, so a running service keeps ingesting.
 */
export async function trainCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string', default: '1' },
      'random-pairs': { type: 'string', default: '100000' },
      limit: { type: 'string', default: '200000' },
      activate: { type: 'boolean', default: false },
      name: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const randomPairs = Number(values['random-pairs']);
  const limit = Number(values.limit);
  if (![seed, randomPairs, limit].every((n) => Number.isSafeInteger(n) && n > 0)) throw new CliUsageError('--seed, --random-pairs and --limit are positive integers');
  return withDatabase(config, async (database) => {
    const models = new ModelStore();
    await models.ensureDefault(database.db);
    const active = await models.active(database.db);
    const started = Date.now();
    // A seeded sample when there are more records than --limit: the same data and seed give the same model.
    const rows = await query<{ demographics: unknown }>(
      database.db,
      sql`select demographics from source_records where status = 'active' order by md5(id::text || ${String(seed)}) limit ${limit}`,
    );
    const nicknames = loadNicknames();
    const persons: Person[] = [];
    for (const r of rows) {
      const d = demographicsSchema.safeParse(r.demographics);
      if (d.success) persons.push(normalizePerson(d.data, nicknames));
    }
    if (persons.length < 2) throw new CliUsageError(`training needs stored records; found ${persons.length}`);
    const result = trainModel(persons, { base: active.model, random: mulberry32(seed), randomPairs });
    const model: Model = parseModel({ ...result.model, name: values.name ?? `trained-${new Date().toISOString().slice(0, 10)}` });
    const training = {
      records: persons.length,
      seed,
      randomPairs: result.randomPairs,
      comparablePairs: result.comparablePairs,
      baseVersion: active.version,
      seconds: (Date.now() - started) / 1000,
      sessions: result.sessions.map((s) => ({ ...s, logLikelihood: s.logLikelihood.length ? [s.logLikelihood[0], s.logLikelihood.at(-1)] : [] })),
    };
    const version = await models.add(database.db, model, 'train', 'cli', training);
    await audit(database, 'model.trained', String(version), { baseVersion: active.version, records: persons.length });
    if (values.activate) {
      await models.activate(database.db, version);
      await audit(database, 'model.activated', String(version), { previous: active.version });
    }
    process.stderr.write(`${describeModel(model)}\n\n`);
    for (const s of result.sessions) {
      process.stderr.write(`EM session blocked on ${s.rule}: ${s.pairs} pairs, ${s.patterns} patterns, ${s.iterations} iterations, ${s.converged ? 'converged' : 'NOT converged'}, lambda ${s.lambda.toExponential(3)}\n`);
    }
    process.stderr.write(`stored as model version ${version}${values.activate ? ' and activated' : `; activate with: mpi model activate ${version}`}\n`);
    out({ version, active: values.activate, ...training, lambda: model.lambda });
    return 0;
  });
}

/** mpi model list | show <version> | activate <version> | import <file.json> */
export async function modelCommand(config: Config, args: string[]): Promise<number> {
  const [sub, arg] = args;
  return withDatabase(config, async (database) => {
    const models = new ModelStore();
    await models.ensureDefault(database.db);
    switch (sub) {
      case 'list': {
        for (const m of await models.list(database.db)) out(m);
        return 0;
      }
      case 'show': {
        const m = await models.get(database.db, versionArg(arg));
        process.stderr.write(describeModel(m) + '\n');
        out(m);
        return 0;
      }
      case 'activate': {
        const version = versionArg(arg);
        const before = (await models.list(database.db)).find((m) => m.active)?.version ?? null;
        await models.activate(database.db, version);
        await audit(database, 'model.activated', String(version), { previous: before });
        process.stderr.write(`model version ${version} is active (was ${before}); running services pick it up within a second\n`);
        out({ active: version, previous: before });
        return 0;
      }
      case 'import': {
        if (!arg) throw new CliUsageError('model import <file.json>');
        const model = parseModel(JSON.parse(readFileSync(arg, 'utf8')));
        const version = await models.add(database.db, model, 'import', 'cli');
        await audit(database, 'model.imported', String(version), { name: model.name });
        out({ version });
        return 0;
      }
      default:
        throw new CliUsageError('model list | show <version> | activate <version> | import <file.json>');
    }
  });
}

function versionArg(arg: string | undefined): number {
  const v = Number(arg);
  if (!Number.isSafeInteger(v) || v <= 0) throw new CliUsageError('a model version is a positive integer (see mpi model list)');
  return v;
}
