import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseFileConfig, SUPPORTED_EVENTS } from '../../src/config.js';

const OID_A = '2.16.840.1.113883.3.9999.1';
const OID_B = '2.16.840.1.113883.3.9999.2';

/** The ConfigError thrown by fn (fails the test when fn does not throw one). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadConfig (environment)', () => {
  it('applies the defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c.env.MLLP_PORT).toBe(2575);
    expect(c.env.HTTP_PORT).toBe(8080);
    expect(c.env.MLLP_HOST).toBe('0.0.0.0');
    expect(c.env.HTTP_HOST).toBe('0.0.0.0');
    expect(c.env.MPI_DATA_DIR).toBe('./data');
    expect(c.env.MPI_LOG_LEVEL).toBe('info');
    expect(c.env.MPI_DB_POOL).toBe(8);
    expect(c.env.DATABASE_URL).toBeUndefined();
    expect(c.dataDir).toBe(resolve('./data'));
    expect(c.dataDir.startsWith('/')).toBe(true);
  });

  it('does not read process.env when given an object', () => {
    const c = loadConfig({ MLLP_PORT: '3000' });
    expect(c.env.MLLP_PORT).toBe(3000);
    expect(c.env.HTTP_PORT).toBe(8080);
  });

  it('coerces numeric values and resolves MPI_DATA_DIR', () => {
    const c = loadConfig({ MLLP_PORT: '0', HTTP_PORT: '65535', MPI_DATA_DIR: 'some/dir', MPI_DB_POOL: '2', MPI_LOG_LEVEL: 'silent' });
    expect(c.env.MLLP_PORT).toBe(0);
    expect(c.env.HTTP_PORT).toBe(65535);
    expect(c.env.MPI_DB_POOL).toBe(2);
    expect(c.env.MPI_LOG_LEVEL).toBe('silent');
    expect(c.dataDir).toBe(resolve('some/dir'));
  });

  it.each([
    ['MLLP_PORT', 'abc'],
    ['MLLP_PORT', '65536'],
    ['MLLP_PORT', '-1'],
    ['MLLP_PORT', '25.5'],
    ['HTTP_PORT', 'http'],
    ['MPI_LOG_LEVEL', 'verbose'],
    ['MPI_DB_POOL', '1'],
    ['MPI_DB_POOL', '101'],
  ])('refuses %s=%j and names the variable', (name, value) => {
    const e = configError(() => loadConfig({ [name]: value }));
    expect(e.message).toContain('invalid environment');
    expect(e.message).toContain(name);
  });

  it('names only the bad variable', () => {
    const e = configError(() => loadConfig({ MLLP_PORT: 'abc', HTTP_PORT: '80' }));
    expect(e.message).toContain('MLLP_PORT');
    expect(e.message).not.toContain('HTTP_PORT');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MPI_DATA_DIR: '' }).env.MPI_DATA_DIR).toBe('./data');
  });

  // Number('') is 0: MLLP_PORT= (set but empty, as compose files leave it) must not mean "any free port".
  it.each(['MLLP_PORT', 'HTTP_PORT'])('does not turn an empty %s into port 0 (any free port)', (name) => {
    let port: number | undefined;
    try {
      port = loadConfig({ [name]: '' }).env[name as 'MLLP_PORT' | 'HTTP_PORT'];
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain(name);
      return;
    }
    expect(port).toBe(name === 'MLLP_PORT' ? 2575 : 8080);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).env.DATABASE_URL).toBeUndefined();
  });

  it.each(['postgres://u:p@localhost:5432/mpi', 'postgresql://localhost/mpi'])('accepts DATABASE_URL %s', (url) => {
    expect(loadConfig({ DATABASE_URL: url }).env.DATABASE_URL).toBe(url);
  });

  it.each(['mysql://localhost/mpi', 'localhost:5432', 'file:./db'])('refuses a non-postgres DATABASE_URL %s', (url) => {
    const e = configError(() => loadConfig({ DATABASE_URL: url }));
    expect(e.message).toContain('DATABASE_URL');
    expect(e.message).toContain('postgres://');
  });

  it('uses the default file config when MPI_CONFIG is not set', () => {
    const c = loadConfig({});
    expect(c.file).toEqual(parseFileConfig({}));
    expect(c.file.autoRegisterAuthorities).toBe('oid');
  });
});

describe('loadConfig (MPI_CONFIG file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpi-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and validates the file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ authorities: [{ namespace: 'HOSPA', oid: OID_A }], unknownSenders: 'reject' }));
    const c = loadConfig({ MPI_CONFIG: file });
    expect(c.file.authorities).toEqual([{ namespace: 'HOSPA', oid: OID_A, trustRank: 0 }]);
    expect(c.file.unknownSenders).toBe('reject');
    expect(c.file.autoRegisterAuthorities).toBe('none');
  });

  it('refuses a missing file, naming MPI_CONFIG and the path', () => {
    const file = join(dir, 'does-not-exist.json');
    const e = configError(() => loadConfig({ MPI_CONFIG: file }));
    expect(e.message).toContain('MPI_CONFIG');
    expect(e.message).toContain(file);
    expect(e.message).toContain('ENOENT');
  });

  it('refuses a file that is not JSON, naming MPI_CONFIG', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "authorities": [ }');
    const e = configError(() => loadConfig({ MPI_CONFIG: file }));
    expect(e.message).toContain('MPI_CONFIG');
    expect(e.message).toContain('not valid JSON');
  });

  it('refuses invalid content with the file as source and the key path', () => {
    const file = join(dir, 'bad-key.json');
    writeFileSync(file, JSON.stringify({ senders: [{ application: 'EPIC', namespaces: { X: 'not-an-oid' } }] }));
    const e = configError(() => loadConfig({ MPI_CONFIG: file }));
    expect(e.message).toContain(file);
    expect(e.message).toContain('senders.0.namespaces.X');
  });
});

describe('parseFileConfig', () => {
  it('fills every default for an empty object', () => {
    const c = parseFileConfig({});
    expect(c.authorities).toEqual([]);
    expect(c.senders).toEqual([]);
    expect(c.unknownSenders).toBe('accept');
    expect(c.autoRegisterAuthorities).toBe('oid');
    expect(c.defaultProfile).toEqual({
      namespaces: {},
      ssn: { pid3Types: ['SS'], pid19: true },
      ignoreIdentifierTypes: ['AN', 'VN'],
      acceptedEvents: [...SUPPORTED_EVENTS],
      keepZSegments: [],
      unknownMergePrior: 'reject',
      controlIdReuse: 'reject',
      processingIds: ['P', 'T', 'D'],
    });
    expect(c.mllp).toEqual({ maxFrameBytes: 1024 * 1024, idleTimeoutMs: 300_000 });
    expect(c.ingest).toEqual({ batchMaxMessages: 256, concurrentWrites: 1, applyBatchMessages: 200, maxPending: 20_000, workerThread: true });
    expect(c.identity).toEqual({ application: 'MPI', facility: 'MPI' });
  });

  it('fills sender profile defaults', () => {
    const c = parseFileConfig({ senders: [{ application: 'EPIC' }] });
    expect(c.senders[0]).toMatchObject({ application: 'EPIC', namespaces: {}, ignoreIdentifierTypes: ['AN', 'VN'], ssn: { pid3Types: ['SS'], pid19: true } });
    expect(c.senders[0]!.facility).toBeUndefined();
    expect(c.senders[0]!.assigns).toBeUndefined();
  });

  describe('autoRegisterAuthorities', () => {
    it("defaults to 'oid' with no authorities", () => {
      expect(parseFileConfig({}).autoRegisterAuthorities).toBe('oid');
      expect(parseFileConfig({ authorities: [] }).autoRegisterAuthorities).toBe('oid');
    });
    it("defaults to 'none' once authorities are declared", () => {
      expect(parseFileConfig({ authorities: [{ namespace: 'HOSPA' }] }).autoRegisterAuthorities).toBe('none');
    });
    it('keeps an explicit value either way', () => {
      expect(parseFileConfig({ authorities: [{ oid: OID_A }], autoRegisterAuthorities: 'oid' }).autoRegisterAuthorities).toBe('oid');
      expect(parseFileConfig({ autoRegisterAuthorities: 'none' }).autoRegisterAuthorities).toBe('none');
    });
    it('refuses another value', () => {
      expect(configError(() => parseFileConfig({ autoRegisterAuthorities: 'all' })).message).toContain('autoRegisterAuthorities');
    });
  });

  it('names the source in the message', () => {
    expect(configError(() => parseFileConfig({ unknownSenders: 'maybe' }, 'my.json')).message).toMatch(/^invalid my\.json: unknownSenders/);
    expect(configError(() => parseFileConfig({ unknownSenders: 'maybe' })).message).toMatch(/^invalid config: unknownSenders/);
  });

  it.each<[string, unknown, string]>([
    ['a non-OID namespace mapping', { senders: [{ application: 'EPIC', namespaces: { X: 'not-an-oid' } }] }, 'senders.0.namespaces.X'],
    ['a non-OID namespace mapping in the default profile', { defaultProfile: { namespaces: { LAB: '1.2.x' } } }, 'defaultProfile.namespaces.LAB'],
    ['an authority OID that is not an OID', { authorities: [{ namespace: 'A' }, { oid: '2.16.04' }] }, 'authorities.1.oid'],
    ['an authority with neither namespace nor oid', { authorities: [{ name: 'nameless' }] }, 'authorities.0'],
    ['a sender without application', { senders: [{ facility: 'F' }] }, 'senders.0.application'],
    ['an accepted event that is not an ADT trigger', { senders: [{ application: 'EPIC', acceptedEvents: ['X01'] }] }, 'senders.0.acceptedEvents.0'],
    ['a Z-segment name that is not a Z-segment', { defaultProfile: { keepZSegments: ['PID'] } }, 'defaultProfile.keepZSegments.0'],
    ['a bad processing id', { senders: [{ application: 'EPIC' }, { application: 'LAB', processingIds: ['X'] }] }, 'senders.1.processingIds.0'],
    ['an MLLP frame limit below 1024', { mllp: { maxFrameBytes: 10 } }, 'mllp.maxFrameBytes'],
    ['an ingest batch above 5000', { ingest: { batchMaxMessages: 5001 } }, 'ingest.batchMaxMessages'],
    ['a bad unknownMergePrior', { defaultProfile: { unknownMergePrior: 'merge' } }, 'defaultProfile.unknownMergePrior'],
  ])('refuses %s and names %s', (_what, raw, path) => {
    const e = configError(() => parseFileConfig(raw));
    expect(e.message).toContain(path);
  });

  it('refuses an unknown top-level key (strict schema)', () => {
    const e = configError(() => parseFileConfig({ authorites: [] }));
    expect(e.message).toContain('authorites');
  });

  it('refuses a non-object', () => {
    expect(() => parseFileConfig([])).toThrow(ConfigError);
    expect(() => parseFileConfig('x')).toThrow(ConfigError);
    expect(configError(() => parseFileConfig(null)).message).toContain('(root)');
  });

  describe('references between keys', () => {
    it('refuses a defaultProfile.defaultAuthority naming an undeclared namespace', () => {
      const e = configError(() => parseFileConfig({ authorities: [{ namespace: 'HOSPA', oid: OID_A }], defaultProfile: { defaultAuthority: 'CLINIC' } }));
      expect(e.message).toContain('defaultProfile.defaultAuthority');
      expect(e.message).toContain('CLINIC');
    });

    it('refuses a sender defaultAuthority naming an undeclared namespace, with the sender index', () => {
      const e = configError(() => parseFileConfig({ senders: [{ application: 'A' }, { application: 'B', defaultAuthority: 'NOPE' }] }));
      expect(e.message).toContain('senders.1.defaultAuthority');
    });

    it('accepts a defaultAuthority that is a declared namespace, a declared OID or any OID', () => {
      expect(parseFileConfig({ authorities: [{ namespace: 'CLINIC', oid: OID_B }], defaultProfile: { defaultAuthority: 'CLINIC' } }).defaultProfile.defaultAuthority).toBe('CLINIC');
      expect(parseFileConfig({ authorities: [{ oid: OID_B }], defaultProfile: { defaultAuthority: OID_B } }).defaultProfile.defaultAuthority).toBe(OID_B);
      expect(parseFileConfig({ senders: [{ application: 'A', defaultAuthority: OID_A }] }).senders[0]!.defaultAuthority).toBe(OID_A);
    });

    it('refuses an assigns entry naming an undeclared namespace', () => {
      const e = configError(() => parseFileConfig({ authorities: [{ namespace: 'HOSPA' }], senders: [{ application: 'A', assigns: ['HOSPA', 'OTHER'] }] }));
      expect(e.message).toContain('senders.0.assigns.1');
      expect(e.message).toContain('OTHER');
    });

    it('refuses an accepted event that is well-formed but not supported', () => {
      const e = configError(() => parseFileConfig({ defaultProfile: { acceptedEvents: ['A04', 'A03'] } }));
      expect(e.message).toContain('defaultProfile.acceptedEvents');
      expect(e.message).toContain('A03');
    });

    it('refuses an authority namespace declared twice', () => {
      const e = configError(() => parseFileConfig({ authorities: [{ namespace: 'HOSPA', oid: OID_A }, { namespace: 'HOSPA', oid: OID_B }] }));
      expect(e.message).toContain('authorities');
      expect(e.message).toContain('HOSPA is declared twice');
    });

    it('refuses an authority OID declared twice', () => {
      const e = configError(() => parseFileConfig({ authorities: [{ namespace: 'A', oid: OID_A }, { namespace: 'B', oid: OID_A }] }));
      expect(e.message).toContain(`${OID_A} is declared twice`);
    });

    it('accepts the same string as a namespace of one authority and an OID of none', () => {
      const c = parseFileConfig({ authorities: [{ namespace: 'A', oid: OID_A }, { namespace: 'B', oid: OID_B }] });
      expect(c.authorities).toHaveLength(2);
    });
  });
});
