import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../algorithms/model.js';
import { adt, defaultPerson, OID_A, OID_B } from '../helpers/adt.js';

/** `mpi train` and `mpi model` as a user runs them: child processes on a PGlite data directory of their own. */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'mpi-model-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'MPI_CONFIG', 'MPI_API_KEYS']) delete env[k];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...env, MPI_DATA_DIR: dataDir, MPI_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => (child.kill('SIGKILL'), fail(new Error(`mpi ${args.join(' ')} timed out\n${stderr}`))), 120_000);
    child.on('close', (code) => (clearTimeout(timer), done({ code, stdout, stderr })));
  });
}
const lines = (s: string) => s.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('mpi train and mpi model', () => {
  const dataDir = join(tmp, 'data');

  it('trains a model from the stored records, stores it as a new version, and switches and rolls back', async () => {
    // 400 people at the hospital; 200 of them also at the clinic, some with a typo in the family name.
    const messages: string[] = [];
    for (let i = 0; i < 400; i++) {
      const pid3 = `TR${i}^^^HOSPA&${OID_A}&ISO^MR`;
      messages.push(adt({ controlId: `A${i}`, pid3 }));
      if (i % 2 === 0) {
        const p = defaultPerson(pid3);
        const name = i % 6 === 0 ? p.name.replace(/^(\w)(\w)/, '$2$1') : p.name;
        messages.push(adt({ controlId: `B${i}`, app: 'CLINIC', pid3: `CL${i}^^^CLINIC&${OID_B}&ISO^MR`, ...p, name }));
      }
    }
    const file = join(tmp, 'feed.hl7');
    writeFileSync(file, messages.join('\n'));
    const imported = await cli(['import', file], dataDir);
    expect(imported.code, imported.stderr).toBe(0);

    const trained = await cli(['train', '--seed', '7', '--random-pairs', '20000'], dataDir);
    expect(trained.code, trained.stderr).toBe(0);
    const [summary] = lines(trained.stdout);
    expect(summary).toMatchObject({ version: 2, active: false, records: 600, baseVersion: 1 });
    expect(summary.sessions.length).toBeGreaterThan(0);
    expect(trained.stderr).toMatch(/given_name\n\s+null/);
    expect(trained.stderr).toContain('mpi model activate 2');

    const shown = await cli(['model', 'show', '2'], dataDir);
    const model = parseModel(lines(shown.stdout)[0]);
    const dob = model.comparisons.find((c) => c.name === 'dob')!;
    const exact = dob.levels.find((l) => l.label === 'exact')!;
    const other = dob.levels.find((l) => l.label === 'else')!;
    // Learned from the data: agreeing birth dates are evidence for a match, disagreeing ones against.
    if (exact.isNull || other.isNull) throw new Error('unexpected null level');
    expect(exact.m / exact.u).toBeGreaterThan(10);
    expect(other.m / other.u).toBeLessThan(1);

    let listed = lines((await cli(['model', 'list'], dataDir)).stdout);
    expect(listed.map((m) => [m.version, m.active, m.source])).toEqual([
      [2, false, 'train'],
      [1, true, 'default'],
    ]);
    expect((await cli(['model', 'activate', '2'], dataDir)).code).toBe(0);
    listed = lines((await cli(['model', 'list'], dataDir)).stdout);
    expect(listed.find((m) => m.active)?.version).toBe(2);
    // Rollback.
    expect((await cli(['model', 'activate', '1'], dataDir)).code).toBe(0);
    listed = lines((await cli(['model', 'list'], dataDir)).stdout);
    expect(listed.find((m) => m.active)?.version).toBe(1);

    const missing = await cli(['model', 'activate', '9'], dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no match model version 9');
    expect((await cli(['model', 'activate', 'x'], dataDir)).code).toBe(2);
  }, 300_000);
});
