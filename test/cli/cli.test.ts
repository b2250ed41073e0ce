import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/mllp/index.js';
import { adt, OID_A } from '../helpers/adt.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * The real `mpi` command as a child process (node --import tsx src/cli/main.ts), on PGlite in a data
 * directory of its own. Each PGlite start costs a couple of seconds, so tests that share a directory
 * run in order and the rest is kept to what only the CLI can show.
 */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'mpi-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what the test sets: no PostgreSQL, no stray config from the shell that runs the tests.
  for (const k of ['DATABASE_URL', 'MPI_CONFIG', 'MLLP_PORT', 'HTTP_PORT', 'MLLP_HOST', 'HTTP_HOST', 'MPI_API_KEYS', 'MPI_DB_POOL']) delete env[k];
  return { ...env, MPI_DATA_DIR: dataDir, MPI_LOG_LEVEL: 'warn', ...extra };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function cli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`mpi ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

const jsonLines = (text: string): any[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

const OID_NEW = '2.16.840.1.113883.3.6666.1';
const good = (controlId: string, mrn: string) => adt({ controlId, pid3: `${mrn}^^^HOSPA&${OID_A}&ISO^MR` });
/** A namespace-only CX.4 nobody declared: AE 204 under the default config. */
const unknownNamespace = (controlId: string) => adt({ controlId, pid3: '9001^^^NEWNS^MR' });

function writeFile(name: string, content: string | Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

describe('mpi without a database', () => {
  it('help exits 0 and lists the commands', async () => {
    const r = await cli(['help'], cliEnv(join(tmp, 'unused')));
    expect(r.code).toBe(0);
    for (const c of ['serve', 'migrate', 'send <file.hl7>', 'import <file.hl7>', 'dead-letters list', 'dead-letters retry', 'rekey [--chunk N]']) expect(r.stdout).toContain(c);
    expect(r.stdout).toMatch(/^usage: mpi <command>/);
  });

  it('an unknown command exits 2 with the usage on stderr', async () => {
    const r = await cli(['frobnicate'], cliEnv(join(tmp, 'unused')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command frobnicate');
    expect(r.stderr).toContain('usage: mpi');
    expect(r.stdout).toBe('');
  });

  it('a command missing its argument exits 2', async () => {
    const r = await cli(['send'], cliEnv(join(tmp, 'unused')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mpi: send needs a file');
  });

  it('an invalid MPI_CONFIG makes the commands that load the config exit 1 naming the bad key', async () => {
    const bad = writeFile('bad-config.json', JSON.stringify({ senders: [{ application: 'EPIC', namespaces: { X: 'not-an-oid' } }] }));
    const dir = join(tmp, 'bad-config-data');
    const runs = await Promise.all([['migrate'], ['serve'], ['import', 'fixtures/hl7/ipf/pixsource-v2__A01.hl7'], ['dead-letters', 'list']].map((args) => cli(args, cliEnv(dir, { MPI_CONFIG: bad }))));
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('senders.0.namespaces.X');
      expect(r.stderr).toMatch(/^mpi: invalid /);
    }
  });

  it('an invalid environment variable exits 1 naming it', async () => {
    const r = await cli(['migrate'], cliEnv(join(tmp, 'unused'), { HTTP_PORT: 'http' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('HTTP_PORT');
  });
});

describe('mpi migrate, import and dead-letters on one data directory', () => {
  const dir = join(tmp, 'import-data');
  const env = () => cliEnv(dir);
  let deadLetterId: number;

  it('migrate exits 0', async () => {
    const r = await cli(['migrate'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('migrations applied (pglite)');
  });

  it('imports the IPF A01 sample: AA and exit 0', async () => {
    const file = 'fixtures/hl7/ipf/pixsource-v2__A01.hl7';
    const r = await cli(['import', file], env());
    expect(r.code).toBe(0);
    const [summary] = jsonLines(r.stdout);
    expect(summary).toMatchObject({ file, messages: 1, acks: { AA: 1 } });
    expect(Object.keys(summary.acks)).toEqual(['AA']);
  });

  it('imports three messages separated by LF', async () => {
    const file = writeFile('three.hl7', [good('LF1', '2001'), good('LF2', '2002'), good('LF3', '2003')].map((m) => m.replace(/\r/g, '\n')).join(''));
    const r = await cli(['import', file], env());
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ messages: 3, acks: { AA: 3 } });
  });

  it('imports an MLLP-framed file', async () => {
    const file = writeFile('framed.mllp', Buffer.concat([encodeFrame(good('FR1', '3001')), encodeFrame(good('FR2', '3002'))]));
    const r = await cli(['import', file], env());
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ messages: 2, acks: { AA: 2 } });
  });

  it('rekey reads every record and finds the keys this version wrote in agreement; a bad --chunk exits 2', async () => {
    const r = await cli(['rekey', '--chunk', '2'], env());
    expect(r.code, r.stderr).toBe(0);
    const [summary] = jsonLines(r.stdout);
    expect(summary).toMatchObject({ rekeyed: 0, keysRemoved: 0, keysAdded: 0 });
    expect(summary.records).toBeGreaterThanOrEqual(6);
    expect(r.stderr).toContain(`rekey: ${summary.records} records read, 0 re-keyed`);
    const bad = await cli(['rekey', '--chunk', '0'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--chunk must be a positive integer');
  });

  it('exits 1 and counts the AE when a message is refused', async () => {
    const file = writeFile('one-bad.hl7', good('MIX1', '4001') + unknownNamespace('BAD1') + good('MIX2', '4002'));
    const r = await cli(['import', file], env());
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ messages: 3, acks: { AA: 2, AE: 1 } });
  });

  it('dead-letters list shows the refused message with its control id and error code', async () => {
    const r = await cli(['dead-letters', 'list'], env());
    expect(r.code).toBe(0);
    const rows = jsonLines(r.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ controlId: 'BAD1', errorCode: 204, ackCode: 'AE', status: 'rejected', sender: 'EPIC|HOSPA' });
    expect(rows[0].error).toContain('PID-3.4');
    expect(r.stderr).toContain('1 dead letter(s)');
    deadLetterId = rows[0].id;
    expect(Number.isSafeInteger(deadLetterId)).toBe(true);
  });

  it('dead-letters retry exits 1 while the message still fails, and 0 once the config is fixed', async () => {
    const still = await cli(['dead-letters', 'retry', String(deadLetterId)], env());
    expect(still.code).toBe(1);
    expect(jsonLines(still.stdout)).toEqual([{ id: deadLetterId, result: 'still-failing', errorCode: 204, error: expect.stringContaining('PID-3.4') }]);

    const fixed = writeFile('fixed-config.json', JSON.stringify({ defaultProfile: { namespaces: { NEWNS: OID_NEW } } }));
    const requeued = await cli(['dead-letters', 'retry', String(deadLetterId)], cliEnv(dir, { MPI_CONFIG: fixed }));
    expect(requeued.code).toBe(0);
    expect(jsonLines(requeued.stdout)).toEqual([{ id: deadLetterId, result: 'requeued' }]);
    expect(requeued.stderr).toContain('1 re-queued, 0 still failing');
    const list = await cli(['dead-letters', 'list'], env());
    expect(list.code).toBe(0);
    expect(jsonLines(list.stdout)).toEqual([]);
  });

  it('dead-letters retry exits 1 for an id that is not a dead letter, and 2 for a malformed one', async () => {
    const [missing, malformed] = await Promise.all([cli(['dead-letters', 'retry', '999999'], env()), cli(['dead-letters', 'retry', 'abc'], cliEnv(join(tmp, 'other-data')))]);
    expect(missing.code).toBe(1);
    expect(jsonLines(missing.stdout)).toEqual([{ id: 999999, result: 'not-found' }]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('message ids are positive integers');
  });
});

describe('mpi send', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ name: 'pglite' });
  });
  afterAll(async () => t?.stop());

  it('prints each ACK and exits 0 when all are accepted', async () => {
    const file = writeFile('send-ok.hl7', good('SEND1', '5001') + good('SEND2', '5002'));
    const r = await cli(['send', file, '--port', String(t.service.mllpPort)], cliEnv(join(tmp, 'unused')));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^MSH\|\^~\\&\|MPI\|MPI\|EPIC\|HOSPA\|/m);
    expect(r.stdout).toMatch(/^MSA\|AA\|SEND1$/m);
    expect(r.stdout).toMatch(/^MSA\|AA\|SEND2$/m);
    expect(r.stderr).toContain('2 sent, 2 accepted, 0 not accepted');
  });

  it('exits 1 when a message is refused, and still sends the rest', async () => {
    const file = writeFile('send-bad.hl7', unknownNamespace('SENDBAD') + good('SEND3', '5003'));
    const r = await cli(['send', file, '--port', String(t.service.mllpPort)], cliEnv(join(tmp, 'unused')));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^MSA\|AE\|SENDBAD/m);
    expect(r.stdout).toMatch(/^ERR\|.*\|204\^/m);
    expect(r.stdout).toMatch(/^MSA\|AA\|SEND3$/m);
    expect(r.stderr).toContain('2 sent, 1 accepted, 1 not accepted');
  });
});

describe('mpi serve', () => {
  const dir = join(tmp, 'serve-data');
  let child: ChildProcess | undefined;
  let stderr = '';
  let started: any;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    child = spawnCli(['serve'], cliEnv(dir, { MLLP_PORT: '0', HTTP_PORT: '0', MLLP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', MPI_LOG_LEVEL: 'info' }));
    exited = new Promise((r) => child!.on('exit', (code, signal) => r({ code, signal })));
    started = await new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no 'MPI started' line within 30 s:\n${stderr}`)), 30_000);
      child!.stderr!.on('data', (b: Buffer) => {
        stderr += b.toString();
        const line = jsonLines(stderr).find((l) => l.msg === 'MPI started');
        if (line) {
          clearTimeout(timer);
          done(line);
        }
      });
      void exited.then(({ code }) => fail(new Error(`serve exited early with ${code}:\n${stderr}`)));
    });
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it("logs 'MPI started' as JSON with its ports, database and data directory", () => {
    expect(started).toMatchObject({ level: 'info', msg: 'MPI started', database: 'pglite', dataDir: dir });
    expect(started.mllpPort).toBeGreaterThan(0);
    expect(started.httpPort).toBeGreaterThan(0);
    expect(started.mllpPort).not.toBe(started.httpPort);
  });

  it('answers GET /health with 200', async () => {
    const res = await fetch(`http://127.0.0.1:${started.httpPort}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { status: 'up', kind: 'pglite' } });
  });

  it('refuses a second process on the same data directory while it runs', async () => {
    const [second, list] = await Promise.all([
      cli(['serve'], cliEnv(dir, { MLLP_PORT: '0', HTTP_PORT: '0' })),
      cli(['dead-letters', 'list'], cliEnv(dir)),
    ]);
    for (const r of [second, list]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`embedded database in ${join(dir, 'pglite')} is in use by process ${child!.pid}`);
    }
    // The refused processes did not take the lock away: the service still answers.
    expect((await fetch(`http://127.0.0.1:${started.httpPort}/health`)).status).toBe(200);
  });

  it('stops on SIGTERM with exit code 0 and frees the data directory', async () => {
    child!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(jsonLines(stderr).map((l) => l.msg)).toContain('stopping');
    const after = await cli(['dead-letters', 'list'], cliEnv(dir));
    expect(after.code).toBe(0);
    expect(after.stderr).toContain('0 dead letter(s)');
  });
});
