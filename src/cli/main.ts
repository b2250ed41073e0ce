#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { AuthorityRegistry } from '../ingest/authorities.js';
import { listDeadLetters, retryDeadLetters } from '../ingest/dead-letters.js';
import { createLogger } from '../lib/log.js';
import { databaseFromConfig, startService } from '../main.js';
import { MllpClient } from '../mllp/index.js';
import { loadNicknames } from '../linkage/matcher.js';
import { ModelMismatch, ModelNotFound } from '../linkage/models.js';
import { rekeyRecords } from '../linkage/rekey.js';
import { splitMessages } from './messages-file.js';
import { CliUsageError, modelCommand, trainCommand } from './models.js';
import { Progress } from './progress.js';

const USAGE = `usage: mpi <command> [options]

commands:
  serve                         run every role: MLLP sidecar, worker, HTTP API (default of npm start)
  migrate                       apply database migrations and exit
  send <file.hl7> [--host H] [--port P] [--tls] [--ca FILE] [--timeout MS]
                                send each message of the file over MLLP and print each ACK
  import <file.hl7>             load a file of messages through the ingest path (service stopped, on PGlite)
  dead-letters list [--limit N]
  dead-letters retry <id>... | --all
                                re-check dead letters against the current config and re-queue those that pass
  train [--seed N] [--random-pairs N] [--limit N] [--name NAME] [--activate]
                                estimate u (random pairs) and m, lambda (EM) from the stored records; store a new model version
  model list | show <version> | activate <version> | import <file.json>
                                the versioned match models; activating an older version is the rollback
  rekey [--chunk N]              write every record's blocking keys and name counters again with this version's
                                normalisers (after an upgrade that changed them); safe beside a running service
  evaluate [--dataset NAME|all] [--data DIR]
                                matching quality on the labelled data sets (same as npm run bench:quality)

environment: see README (MPI_DATA_DIR, DATABASE_URL, MLLP_PORT, HTTP_PORT, MPI_API_KEYS, MPI_CONFIG, ...)`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand();
    case 'migrate':
      return migrateCommand();
    case 'send':
      return sendCommand(rest);
    case 'import':
      return importCommand(rest);
    case 'dead-letters':
      return deadLettersCommand(rest);
    case 'train':
      return trainCommand(loadConfig(), rest);
    case 'model':
      return modelCommand(loadConfig(), rest);
    case 'evaluate':
      return evaluateCommand(rest);
    case 'rekey':
      return rekeyCommand(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}

async function serveCommand(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.env.MPI_LOG_LEVEL);
  // A restart right after a kill waits (up to 15 s) for the old process to let go of ports and data.
  const service = await startService(config, { logger, startupWaitMs: 15_000 });
  logger.info('MPI started', { database: service.database.kind, mllpPort: service.mllpPort, httpPort: service.httpPort, dataDir: config.dataDir });
  const reason = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    // Started by a process that then died without passing a signal on (npm start killed with SIGKILL):
    // stop rather than linger as an orphan holding the ports and the embedded database.
    const parent = process.ppid;
    if (parent > 1) setInterval(() => process.ppid !== parent && resolve('parent process exited'), 250).unref();
  });
  logger.info('stopping', { reason });
  // Past this, exit anyway: every ACKed message is committed, so a cut-short stop loses nothing.
  setTimeout(() => process.exit(1), 10_000).unref();
  await service.stop();
  return 0;
}

async function rekeyCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { chunk: { type: 'string', default: '2000' } } });
  const chunk = Number(values.chunk);
  if (!Number.isInteger(chunk) || chunk < 1) throw new UsageError('--chunk must be a positive integer');
  const db = await databaseFromConfig(loadConfig());
  try {
    const result = await rekeyRecords(db, { nicknames: loadNicknames(), chunk, onChunk: ({ records, rekeyed }) => process.stderr.write(`rekey: ${records} records read, ${rekeyed} re-keyed\n`) });
    process.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  } finally {
    await db.close();
  }
}

async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const db = await databaseFromConfig(config);
  await db.close();
  process.stdout.write(`migrations applied (${db.kind})\n`);
  return 0;
}

async function sendCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string' }, tls: { type: 'boolean', default: false }, ca: { type: 'string' }, timeout: { type: 'string', default: '30000' } },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('send needs a file');
  const port = Number(values.port || process.env.MLLP_PORT || 2575);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--port (or MLLP_PORT) must be a port number');
  const messages = splitMessages(readFileSync(file));
  const client = await MllpClient.connect({
    host: values.host!,
    port,
    timeoutMs: Number(values.timeout),
    tls: values.tls || values.ca ? { ca: values.ca ? readFileSync(values.ca) : undefined } : undefined,
  });
  let failures = 0;
  try {
    for (const m of messages) {
      const ack = (await client.send(m)).toString('latin1');
      const code = /(?:^|\r)MSA\|([A-Z]{2})/.exec(ack)?.[1] ?? '??';
      if (code !== 'AA' && code !== 'CA') failures++;
      process.stdout.write(ack.replace(/\r/g, '\n').trimEnd() + '\n\n');
    }
  } finally {
    client.close();
  }
  process.stderr.write(`${messages.length} sent, ${messages.length - failures} accepted, ${failures} not accepted\n`);
  return failures ? 1 : 0;
}

async function importCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file) throw new UsageError('import needs a file');
  const config = loadConfig();
  const service = await startService(config, { logger: createLogger('warn'), roles: { mllp: false, http: false, worker: true } });
  const messages = splitMessages(readFileSync(file));
  const counts: Record<string, number> = {};
  const progress = new Progress(messages.length, 'import');
  const started = Date.now();
  try {
    // Several in flight so group commit has something to group; the inbox keeps arrival order.
    const window = 16;
    let next = 0;
    const lane = async () => {
      while (next < messages.length) {
        const m = messages[next++]!;
        const ack = await service.receiver.onMessage(m, { connectionId: 'import', remoteAddress: 'file' });
        const code = ack ? (/(?:^|\r)MSA\|([A-Z]{2})/.exec(ack.toString('latin1'))?.[1] ?? '??') : 'closed';
        counts[code] = (counts[code] ?? 0) + 1;
        progress.tick();
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
    await service.worker.idle();
  } finally {
    progress.done();
    await service.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ file, messages: messages.length, acks: counts, seconds, perSecond: Math.round(messages.length / seconds) }) + '\n');
  return counts.AA === messages.length ? 0 : 1;
}

async function deadLettersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean', default: false }, limit: { type: 'string', default: '100' } } });
  const [sub, ...ids] = positionals;
  const config = loadConfig();
  const database = await databaseFromConfig(config);
  try {
    if (sub === 'list') {
      const rows = await listDeadLetters(database.db, Number(values.limit));
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      process.stderr.write(`${rows.length} dead letter(s)\n`);
      return 0;
    }
    if (sub === 'retry') {
      if (!values.all && !ids.length) throw new UsageError('retry needs message ids or --all');
      const numericIds = ids.map(Number);
      if (numericIds.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new UsageError('message ids are positive integers');
      const registry = await AuthorityRegistry.load(database.db, config.file);
      const outcomes = await retryDeadLetters(database.db, config.file, registry, values.all ? { all: true } : { ids: numericIds });
      for (const o of outcomes) process.stdout.write(JSON.stringify(o) + '\n');
      const requeued = outcomes.filter((o) => o.result === 'requeued').length;
      process.stderr.write(`${requeued} re-queued, ${outcomes.length - requeued} still failing or not found; a running service applies them within a second\n`);
      return outcomes.every((o) => o.result === 'requeued') ? 0 : 1;
    }
    throw new UsageError('dead-letters list | retry <id>... | retry --all');
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

/** The quality bench lives in bench/ (it reads data sets kept outside the repo): run it as a child. */
function evaluateCommand(args: string[]): Promise<number> {
  const script = fileURLToPath(new URL('../../bench/quality.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof CliUsageError;
    if (err instanceof ConfigError || usage || err instanceof ModelNotFound || err instanceof ModelMismatch) process.stderr.write(`mpi: ${(err as Error).message}\n`);
    else process.stderr.write(`mpi: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);

export type { Config };
