import { readFileSync } from 'node:fs';
import { desc, eq, sql } from 'drizzle-orm';
import { compile, type CompiledModel } from '../../algorithms/fellegi-sunter.js';
import { parseModel, type Model } from '../../algorithms/model.js';
import { COMPARISON_NAMES, LEVEL_LABELS } from '../../algorithms/person-comparisons.js';
import { query, type Queryable } from '../storage/db.js';
import { matchModels } from '../storage/schema/index.js';

export const DEFAULT_MODEL_URL = new URL('../../fixtures/models/default-model.json', import.meta.url);

export function loadDefaultModel(): Model {
  return parseModel(JSON.parse(readFileSync(DEFAULT_MODEL_URL, 'utf8')));
}

export interface ActiveModel {
  version: number;
  model: Model;
  compiled: CompiledModel;
}

export interface ModelInfo {
  version: number;
  name: string;
  active: boolean;
  source: string;
  createdBy: string | null;
  createdAt: string;
  activatedAt: string | null;
  thresholds: Model['thresholds'];
  lambda: number;
}

/** Whether a model scores the comparison vector this version of the code writes (same comparisons and levels). */
export function modelFits(model: Model): boolean {
  if (model.comparisons.map((c) => c.name).join() !== COMPARISON_NAMES.join()) return false;
  return model.comparisons.every((c) => c.levels.map((l) => l.label).join() === (LEVEL_LABELS[c.name as keyof typeof LEVEL_LABELS] as readonly string[]).join());
}

export class ModelMismatch extends Error {
  override name = 'ModelMismatch';
}

export class ModelNotFound extends Error {
  override name = 'ModelNotFound';
}

/**
 * The versioned match models in match_models. The shipped default becomes version 1 on first start, so a
 * fresh install matches before any training. The active model is cached and re-read at most once a second,
 * so `mpi model activate` on any process reaches every worker within a second, without a query per message.
 */
export class ModelStore {
  private cached: ActiveModel | undefined;
  private checkedAt = 0;

  constructor(private readonly refreshMs = 1000) {}

  /**
   * Installs the shipped default as version 1 when no model is stored yet. After an upgrade whose shipped
   * default changed, stores it as a new version, and activates it when the active model is an older shipped
   * default, or no longer fits this version's comparisons (a trained model does not, once a comparison or a
   * level is added: it is kept for the record, and `mpi train` makes a new one). Returns what it did.
   */
  async ensureDefault(db: Queryable): Promise<{ installed?: number; activated?: number; replaced?: number }> {
    const def = loadDefaultModel();
    const doc = (version: number) => JSON.stringify({ ...def, version });
    await db.execute(sql`insert into match_models (version, name, document, active, source, created_by, activated_at)
      select 1, ${def.name}, ${doc(1)}::jsonb, true, 'default', 'system', now()
      where not exists (select 1 from match_models)
      on conflict do nothing`);
    const stored = await query<{ version: number; document: Model; source: string; active: boolean }>(db, sql`select version, document, source, active from match_models order by version`);
    const same = (m: Model) => JSON.stringify({ ...m, version: 0 }) === JSON.stringify({ ...def, version: 0 });
    const out: { installed?: number; activated?: number; replaced?: number } = {};
    let shipped = stored.find((r) => r.source === 'default' && same(parseModel(r.document)))?.version;
    if (shipped === undefined) {
      try {
        shipped = await this.add(db, def, 'default', 'system');
        out.installed = shipped;
      } catch (err) {
        // Another process starting at the same moment stored it first.
        const again = await query<{ version: number }>(db, sql`select version from match_models where source = 'default' order by version desc limit 1`);
        if (!again[0]) throw err;
        shipped = again[0].version;
      }
    }
    const active = stored.find((r) => r.active);
    if (!active || (active.version !== shipped && (active.source === 'default' || !modelFits(parseModel(active.document))))) {
      await this.activate(db, shipped);
      out.activated = shipped;
      if (active) out.replaced = active.version;
    }
    return out;
  }

  async active(db: Queryable): Promise<ActiveModel> {
    const now = Date.now();
    if (this.cached && now - this.checkedAt < this.refreshMs) return this.cached;
    const [row] = await query<{ version: number }>(db, sql`select version from match_models where active`);
    this.checkedAt = now;
    if (!row) throw new ModelNotFound('no active match model: run `mpi model activate <version>`');
    if (this.cached?.version === row.version) return this.cached;
    const [doc] = await query<{ document: unknown }>(db, sql`select document from match_models where version = ${row.version}`);
    const model = parseModel(doc!.document);
    if (!modelFits(model)) throw new ModelMismatch(`match model version ${row.version} does not fit this version's comparisons: activate another or run \`mpi train\``);
    this.cached = { version: row.version, model, compiled: compile(model) };
    return this.cached;
  }

  async list(db: Queryable): Promise<ModelInfo[]> {
    const rows = await db.select().from(matchModels).orderBy(desc(matchModels.version));
    return rows.map((r) => {
      const doc = r.document as Model;
      return {
        version: r.version,
        name: r.name,
        active: r.active,
        source: r.source,
        createdBy: r.createdBy,
        createdAt: r.createdAt.toISOString(),
        activatedAt: r.activatedAt?.toISOString() ?? null,
        thresholds: doc.thresholds,
        lambda: doc.lambda,
      };
    });
  }

  async get(db: Queryable, version: number): Promise<Model> {
    const [row] = await db.select({ document: matchModels.document }).from(matchModels).where(eq(matchModels.version, version));
    if (!row) throw new ModelNotFound(`no match model version ${version}`);
    return parseModel(row.document);
  }

  /** Stores a new version (not active); returns its number. */
  async add(db: Queryable, model: Model, source: string, createdBy: string, training?: unknown): Promise<number> {
    const valid = parseModel(model);
    const [row] = await query<{ version: number }>(
      db,
      sql`insert into match_models (version, name, document, active, source, training, created_by)
          select coalesce(max(version), 0) + 1, ${valid.name}, jsonb_set(${JSON.stringify(valid)}::jsonb, '{version}', to_jsonb(coalesce(max(version), 0) + 1)), false, ${source}, ${training === undefined ? null : JSON.stringify(training)}::jsonb, ${createdBy}
          from match_models returning version`,
    );
    return row!.version;
  }

  /** Makes one version the active one (rollback is activating an older version). */
  async activate(db: Queryable, version: number): Promise<void> {
    const [row] = await query<{ version: number; document: unknown }>(db, sql`select version, document from match_models where version = ${version}`);
    if (!row) throw new ModelNotFound(`no match model version ${version}`);
    if (!modelFits(parseModel(row.document))) throw new ModelMismatch(`match model version ${version} does not fit this version's comparisons`);
    // One transaction: a worker reading between the two statements would find no active model.
    await db.transaction(async (tx) => {
      await tx.execute(sql`update match_models set active = false where active and version <> ${version}`);
      await tx.execute(sql`update match_models set active = true, activated_at = now() where version = ${version} and not active`);
    });
    this.checkedAt = 0;
  }
}
