import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFileConfig, type FileConfig, type ProfileFields } from '../../src/config.js';
import { parseMessage, header as readHeader } from '../../src/hl7/index.js';
import { mapAdt, type AdtCommand, type MergeGroup } from '../../src/ingest/adt.js';
import { AuthorityRegistry, type AuthorityRef, type Cx4 } from '../../src/ingest/authorities.js';
import { IngestError } from '../../src/ingest/errors.js';
import { contentHash, dedupKeyOf, interpret } from '../../src/ingest/interpret.js';
import { openDatabase, query, type Database } from '../../src/storage/db.js';
import { adt, defaultPerson, OID_A, OID_B } from '../helpers/adt.js';

// OIDs of this file only (OID_A / OID_B are declared as HOSPA / CLINIC).
const OID_NEW = '2.16.840.1.113883.3.7777.1';
const OID_LAB = '2.16.840.1.113883.3.7777.2';
const OID_AUTO = '2.16.840.1.113883.3.7777.3';
const OID_LEAK = '2.16.840.1.113883.3.7777.4';
const OID_UPGRADE = '2.16.840.1.113883.3.7777.5';
const OID_SSA = '2.16.840.1.113883.4.1';
const NOW = new Date('2024-06-01T12:00:00Z');

const AUTHORITIES = [
  { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
  { namespace: 'CLINIC', oid: OID_B, name: 'Clinic' },
  { namespace: 'LOCAL', name: 'Namespace-only domain' },
];
const MAPPER = { application: 'MAPPER', namespaces: { MRN: OID_A, LAB: OID_LAB }, defaultAuthority: 'CLINIC' };

/** Declared authorities → autoRegisterAuthorities defaults to 'none'. */
const cfgNone = parseFileConfig({ authorities: AUTHORITIES, senders: [MAPPER] });
/** The same with OID auto-registration switched on. */
const cfgOid = parseFileConfig({ authorities: AUTHORITIES, senders: [MAPPER], autoRegisterAuthorities: 'oid' });

const profile = (over: Record<string, unknown> = {}): ProfileFields => parseFileConfig({ authorities: AUTHORITIES, defaultProfile: over }).defaultProfile;
const mapperProfile = cfgNone.senders[0]!;
const plain = cfgNone.defaultProfile;

/** The IngestError thrown by fn (fails the test when fn does not throw one). */
function ingestError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error('expected an IngestError, nothing was thrown');
}

/**
 * Sets PID-19 (SSN). Not `adt({ pid19 })`: test/helpers/adt.ts writes that value one field early, into
 * PID-18 (patient account number).
 */
function withPid19(text: string, value: string): string {
  return text
    .split('\r')
    .map((seg) => {
      if (!seg.startsWith('PID|')) return seg;
      const f = seg.split('|');
      while (f.length < 20) f.push('');
      f[19] = value;
      return f.join('|');
    })
    .join('\r');
}

const id = (v: string, oid = OID_A, ns = 'HOSPA', type = 'MR') => `${v}^^^${ns}&${oid}&ISO^${type}`;

let database: Database;
let regNone: AuthorityRegistry;
let regOid: AuthorityRegistry;

async function authorityRows(oid: string) {
  return query<{ id: number; namespace: string | null; origin: string }>(database.db, sql`select id, namespace, origin from authorities where oid = ${oid}`);
}

beforeAll(async () => {
  database = await openDatabase({});
  regNone = await AuthorityRegistry.load(database.db, cfgNone);
  regOid = await AuthorityRegistry.load(database.db, cfgOid);
});
afterAll(async () => database?.close());

describe('AuthorityRegistry.load', () => {
  it('stores every configured authority once, with its trust rank, and is idempotent', async () => {
    await AuthorityRegistry.load(database.db, cfgNone);
    const rows = await query<{ namespace: string | null; oid: string | null; trust_rank: number; origin: string }>(
      database.db,
      sql`select namespace, oid, trust_rank, origin from authorities where namespace in ('HOSPA', 'CLINIC', 'LOCAL') order by namespace`,
    );
    expect(rows).toEqual([
      { namespace: 'CLINIC', oid: OID_B, trust_rank: 0, origin: 'config' },
      { namespace: 'HOSPA', oid: OID_A, trust_rank: 10, origin: 'config' },
      { namespace: 'LOCAL', oid: null, trust_rank: 0, origin: 'config' },
    ]);
    expect(regNone.lookup({ oid: OID_A })).toMatchObject({ namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 });
    expect(regNone.lookup({ namespace: 'LOCAL' })).toMatchObject({ namespace: 'LOCAL', oid: null });
  });

  it('finds authorities by FHIR system, bare OID or namespace', () => {
    expect(regNone.findBySystem(`urn:oid:${OID_A}`)?.namespace).toBe('HOSPA');
    expect(regNone.findBySystem(OID_B)?.namespace).toBe('CLINIC');
    expect(regNone.findBySystem('LOCAL')?.oid).toBeNull();
    expect(regNone.findBySystem(`urn:oid:${OID_NEW}`)).toBeUndefined();
    expect(regNone.findBySystem('NOWHERE')).toBeUndefined();
  });
});

describe('AuthorityRegistry.resolve', () => {
  type Case = [name: string, reg: () => AuthorityRegistry, cx4: Cx4 | undefined, profile: () => ProfileFields, expected: AuthorityRef | { error: number; path: string }];
  const cases: Case[] = [
    ['a declared OID', () => regNone, { universalId: OID_A, universalIdType: 'ISO' }, () => plain, { oid: OID_A, namespace: 'HOSPA' }],
    ['a declared OID: the registry namespace wins over CX.4.1', () => regNone, { namespace: 'OTHER', universalId: OID_B }, () => plain, { oid: OID_B, namespace: 'CLINIC' }],
    ['an undeclared OID with autoRegister oid', () => regOid, { namespace: 'NEWNS', universalId: OID_NEW, universalIdType: 'ISO' }, () => plain, { oid: OID_NEW, namespace: 'NEWNS' }],
    ['an undeclared OID without namespace with autoRegister oid', () => regOid, { universalId: OID_NEW }, () => plain, { oid: OID_NEW }],
    ['an undeclared OID with autoRegister none', () => regNone, { namespace: 'NEWNS', universalId: OID_NEW }, () => plain, { error: 204, path: 'PID-3' }],
    ['a CX.4.2 that is not an OID', () => regOid, { namespace: 'HOSPA', universalId: 'HOSPA-ID' }, () => plain, { error: 204, path: 'PID-3.2' }],
    ['a namespace mapped by the profile to a declared OID', () => regNone, { namespace: 'MRN' }, () => mapperProfile, { oid: OID_A, namespace: 'HOSPA' }],
    ['a namespace mapped by the profile to an undeclared OID (config is authoritative)', () => regNone, { namespace: 'LAB' }, () => mapperProfile, { oid: OID_LAB, namespace: 'LAB' }],
    ['a profile mapping is not global', () => regNone, { namespace: 'MRN' }, () => plain, { error: 204, path: 'PID-3' }],
    ['a namespace declared globally with an OID', () => regNone, { namespace: 'CLINIC' }, () => plain, { oid: OID_B, namespace: 'CLINIC' }],
    ['a namespace declared globally without OID', () => regNone, { namespace: 'LOCAL' }, () => plain, { namespace: 'LOCAL' }],
    ['a namespace padded with spaces', () => regNone, { namespace: ' CLINIC ' }, () => plain, { oid: OID_B, namespace: 'CLINIC' }],
    ['an unknown namespace (autoRegister none)', () => regNone, { namespace: 'NOWHERE' }, () => plain, { error: 204, path: 'PID-3' }],
    ['an unknown namespace (autoRegister oid)', () => regOid, { namespace: 'NOWHERE' }, () => plain, { error: 204, path: 'PID-3' }],
    ['a declared OID written in CX.4.1', () => regNone, { namespace: OID_B }, () => plain, { oid: OID_B, namespace: 'CLINIC' }],
    ['an undeclared OID written in CX.4.1 (autoRegister oid)', () => regOid, { namespace: OID_NEW }, () => plain, { oid: OID_NEW }],
    ['an undeclared OID written in CX.4.1 (autoRegister none)', () => regNone, { namespace: OID_NEW }, () => plain, { error: 204, path: 'PID-3' }],
    ['an empty CX.4 with a profile default authority', () => regNone, undefined, () => mapperProfile, { oid: OID_B, namespace: 'CLINIC' }],
    ['an empty-component CX.4 with a profile default authority', () => regNone, {}, () => mapperProfile, { oid: OID_B, namespace: 'CLINIC' }],
    ['a blank CX.4 with a profile default authority', () => regNone, { namespace: '  ', universalId: ' ' }, () => mapperProfile, { oid: OID_B, namespace: 'CLINIC' }],
    ['an empty CX.4 with an OID default authority', () => regNone, undefined, () => profile({ defaultAuthority: OID_A }), { oid: OID_A, namespace: 'HOSPA' }],
    ['an empty CX.4 with a namespace-only default authority', () => regNone, undefined, () => profile({ defaultAuthority: 'LOCAL' }), { namespace: 'LOCAL' }],
    ['an empty CX.4 and no default authority', () => regOid, undefined, () => plain, { error: 204, path: 'PID-3' }],
  ];

  it.each(cases)('%s', (_name, reg, cx4, p, expected) => {
    if ('error' in expected) {
      const e = ingestError(() => reg().resolve(cx4, p(), 'PID-3'));
      expect(e.kind).toBe('content');
      expect(e.hl7Code).toBe(expected.error);
      expect(e.path).toBe(expected.path);
    } else {
      const got = reg().resolve(cx4, p(), 'PID-3');
      expect(got).toEqual(expected);
      expect(got.oid).toBe(expected.oid);
      expect(got.namespace).toBe(expected.namespace);
    }
  });

  it('names the empty-CX.4 problem in the error text', () => {
    expect(ingestError(() => regNone.resolve(undefined, plain, 'PID-3[2].4')).message).toBe('PID-3[2].4 assigning authority is empty and the sender has no default authority');
  });

  it('does not write a row when it accepts an undeclared OID', async () => {
    regOid.resolve({ universalId: OID_NEW }, plain, 'PID-3');
    expect(regOid.lookup({ oid: OID_NEW })).toBeUndefined();
    expect(await authorityRows(OID_NEW)).toEqual([]);
  });
});

describe('AuthorityRegistry.ensure', () => {
  it('registers an accepted OID once, as auto, and then knows it', async () => {
    const ref = regOid.resolve({ namespace: 'AUTONS', universalId: OID_AUTO }, plain, 'PID-3');
    const first = await regOid.ensure(database.db, ref);
    const second = await regOid.ensure(database.db, ref);
    expect(second.id).toBe(first.id);
    expect(first).toMatchObject({ oid: OID_AUTO, namespace: 'AUTONS', trustRank: 0 });
    const rows = await authorityRows(OID_AUTO);
    expect(rows).toEqual([{ id: first.id, namespace: 'AUTONS', origin: 'auto' }]);
    expect(regOid.lookup({ oid: OID_AUTO })?.id).toBe(first.id);
    // Another registry on the same database (another process) finds the row instead of inserting again.
    const other = await AuthorityRegistry.load(database.db, cfgOid);
    expect((await other.ensure(database.db, { oid: OID_AUTO })).id).toBe(first.id);
    expect(await authorityRows(OID_AUTO)).toHaveLength(1);
  });

  it('returns a configured authority without inserting', async () => {
    const a = await regNone.ensure(database.db, { oid: OID_A, namespace: 'HOSPA' });
    expect(a).toMatchObject({ oid: OID_A, namespace: 'HOSPA', trustRank: 10 });
    expect(await authorityRows(OID_A)).toHaveLength(1);
    expect((await regNone.ensure(database.db, { namespace: 'LOCAL' })).oid).toBeNull();
  });

  it('refuses to register a namespace without OID', async () => {
    const e = await regOid.ensure(database.db, { namespace: 'NOT-DECLARED' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(IngestError);
    expect((e as IngestError).hl7Code).toBe(204);
    expect(await query(database.db, sql`select 1 from authorities where namespace = 'NOT-DECLARED'`)).toEqual([]);
  });

  // A namespace-only CX.4 must always be declared or mapped: the label that came with an auto-registered
  // OID must not make it resolvable, or acceptance would depend on which message arrived first.
  it('does not make the namespace of an auto-registered OID resolvable on its own', async () => {
    await regOid.ensure(database.db, { oid: OID_LEAK, namespace: 'LEAKNS' });
    const e = ingestError(() => regOid.resolve({ namespace: 'LEAKNS' }, plain, 'PID-3'));
    expect(e.hl7Code).toBe(204);
  });

  // A config that later gives a namespace-only authority its OID upgrades that row rather than adding one.
  it('resolves a namespace to its OID after the config adds the OID to a namespace-only authority', async () => {
    await AuthorityRegistry.load(database.db, parseFileConfig({ authorities: [{ namespace: 'UPGRADE' }] }));
    const cfg = parseFileConfig({ authorities: [{ namespace: 'UPGRADE', oid: OID_UPGRADE }] });
    const reg = await AuthorityRegistry.load(database.db, cfg);
    expect(reg.resolve({ namespace: 'UPGRADE' }, cfg.defaultProfile, 'PID-3')).toEqual({ oid: OID_UPGRADE, namespace: 'UPGRADE' });
  });
});

describe('mapAdt', () => {
  const map = (text: string, p: ProfileFields = plain, reg: AuthorityRegistry = regNone, event?: string): AdtCommand => {
    const msg = parseMessage(text);
    return mapAdt(msg, event ?? readHeader(msg).messageType.trigger!, p, reg, NOW);
  };
  const register = (text: string, p?: ProfileFields, reg?: AuthorityRegistry) => {
    const c = map(text, p, reg);
    if (c.kind !== 'register') throw new Error(`expected register, got ${c.kind}`);
    return c;
  };
  const merge = (text: string, p?: ProfileFields, reg?: AuthorityRegistry): MergeGroup[] => {
    const c = map(text, p, reg);
    if (c.kind !== 'merge') throw new Error(`expected merge, got ${c.kind}`);
    return c.groups;
  };
  const mapError = (text: string, p?: ProfileFields, reg?: AuthorityRegistry) => ingestError(() => map(text, p, reg));

  it('maps a plain A04 into identifiers and demographics', () => {
    const c = register(adt({ controlId: 'M1', name: 'DOE^JANE^Q^^^^L', dob: '19800101', address: '1 MAIN ST^^SPRINGFIELD^IL^62701', phone: '^PRN^PH^^^217^5550101' }));
    expect(c.event).toBe('A04');
    expect(c.identifiers).toEqual([{ authority: { oid: OID_A, namespace: 'HOSPA' }, value: '1001', type: 'MR' }]);
    expect(c.demographics).toEqual({
      v: 1,
      names: [{ family: 'DOE', given: 'JANE', middle: 'Q', type: 'L' }],
      birthDate: '1980-01-01',
      birthDatePrecision: 'day',
      sex: 'F',
      addresses: [{ street: '1 MAIN ST', city: 'SPRINGFIELD', state: 'IL', zip: '62701' }],
      phones: [{ number: '(217) 5550101', use: 'PRN', equipment: 'PH' }],
    });
  });

  describe('SSN', () => {
    it('reads it from a PID-3 repetition of type SS and keeps it out of the identifiers', () => {
      const c = register(withPid19(adt({ controlId: 'S1', pid3: `${id('1001')}~123-45-6789^^^SSA&${OID_SSA}&ISO^SS` }), '999887777'));
      expect(c.demographics.ssn).toBe('123456789');
      expect(c.identifiers.map((i) => i.value)).toEqual(['1001']);
    });

    it('does not resolve the authority of an SS repetition (an undeclared SSA is fine)', () => {
      expect(register(adt({ controlId: 'S2', pid3: `${id('1001')}~123456789^^^NOWHERE^SS` })).demographics.ssn).toBe('123456789');
    });

    it('reads it from PID-19 when PID-3 has none', () => {
      expect(register(withPid19(adt({ controlId: 'S3' }), '987-65-4321')).demographics.ssn).toBe('987654321');
    });

    it('does not take PID-18 (account number) for the SSN', () => {
      const text = adt({ controlId: 'S3b' }).replace(/^(PID(?:\|[^|\r]*){17})\|[^|\r]*/m, '$1|987654321');
      expect(parseMessage(text).segment('PID')!.field(18)?.value).toBe('987654321');
      expect(register(text).demographics.ssn).toBeUndefined();
    });

    it('ignores PID-19 when the profile says so', () => {
      const text = withPid19(adt({ controlId: 'S4' }), '987654321');
      expect(register(text).demographics.ssn).toBe('987654321');
      expect(register(text, profile({ ssn: { pid19: false } })).demographics.ssn).toBeUndefined();
    });

    it('takes the SSN from other CX.5 types when configured, and treats SS as an identifier when not', () => {
      const taxId = `${id('1001')}~111223333^^^LOCAL^TAX`;
      expect(register(adt({ controlId: 'S5', pid3: taxId }), profile({ ssn: { pid3Types: ['TAX'], pid19: false } })).demographics.ssn).toBe('111223333');
      const c = register(adt({ controlId: 'S6', pid3: `${id('1001')}~123456789^^^LOCAL^SS` }), profile({ ssn: { pid3Types: [], pid19: false } }));
      expect(c.demographics.ssn).toBeUndefined();
      expect(c.identifiers.map((i) => [i.value, i.type])).toEqual([
        ['1001', 'MR'],
        ['123456789', 'SS'],
      ]);
    });

    it('drops values with fewer than 9 digits and keeps the last 9 of longer ones', () => {
      expect(register(withPid19(adt({ controlId: 'S7' }), '12345')).demographics.ssn).toBeUndefined();
      expect(register(withPid19(adt({ controlId: 'S8' }), '001-123-45-6789')).demographics.ssn).toBe('123456789');
    });
  });

  describe('identifiers', () => {
    it('skips account and visit numbers (AN, VN, any case)', () => {
      const c = register(adt({ controlId: 'I1', pid3: `A77^^^NOWHERE^AN~${id('1001')}~V88^^^NOWHERE^vn` }));
      expect(c.identifiers.map((i) => i.value)).toEqual(['1001']);
    });

    it('keeps AN when the profile does not ignore it', () => {
      const c = register(adt({ controlId: 'I2', pid3: `${id('1001')}~A77^^^LOCAL^AN` }), profile({ ignoreIdentifierTypes: [] }));
      expect(c.identifiers.map((i) => i.value)).toEqual(['1001', 'A77']);
    });

    it('deduplicates the same identifier written with different CX.4 forms', () => {
      const c = register(adt({ controlId: 'I3', pid3: `${id('1001')}~1001^^^HOSPA^MR~1001^^^&${OID_A}&ISO^PI~1002^^^HOSPA^MR` }));
      expect(c.identifiers).toEqual([
        { authority: { oid: OID_A, namespace: 'HOSPA' }, value: '1001', type: 'MR' },
        { authority: { oid: OID_A, namespace: 'HOSPA' }, value: '1002', type: 'MR' },
      ]);
    });

    it('keeps the same value in different authorities', () => {
      const c = register(adt({ controlId: 'I4', pid3: `${id('1001')}~1001^^^CLINIC^MR` }));
      expect(c.identifiers.map((i) => i.authority.oid)).toEqual([OID_A, OID_B]);
    });

    it('skips empty and "" repetitions', () => {
      const c = register(adt({ controlId: 'I5', pid3: `""^^^&2.71&ISO~~${id('1001')}` }));
      expect(c.identifiers.map((i) => i.value)).toEqual(['1001']);
    });

    it('refuses a PID-3 with no identifier (101)', () => {
      const e = mapError(adt({ controlId: 'I6', pid3: '' }));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 101, 'PID-3']);
      const onlyVisit = mapError(adt({ controlId: 'I7', pid3: 'V1^^^HOSPA^VN' }));
      expect(onlyVisit.hl7Code).toBe(101);
    });

    it('refuses an unknown namespace with 204 at the repetition path', () => {
      expect(mapError(adt({ controlId: 'I8', pid3: '1^^^NOWHERE^MR' })).path).toBe('PID-3.4');
      const e = mapError(adt({ controlId: 'I9', pid3: `${id('1001')}~2^^^NOWHERE^MR` }));
      expect([e.hl7Code, e.path]).toEqual([204, 'PID-3[2].4']);
    });

    it('applies the sender profile: namespace mapping and default authority', () => {
      const c = register(adt({ controlId: 'I10', pid3: '5^^^MRN^MR~6^^^^PI' }), mapperProfile);
      expect(c.identifiers).toEqual([
        { authority: { oid: OID_A, namespace: 'HOSPA' }, value: '5', type: 'MR' },
        { authority: { oid: OID_B, namespace: 'CLINIC' }, value: '6', type: 'PI' },
      ]);
    });

    it('puts identifiers of the domains the sender assigns first', () => {
      const c = register(adt({ controlId: 'I11', pid3: `${id('1001')}~55^^^CLINIC^PI~56^^^LOCAL^PI` }), profile({ assigns: ['CLINIC', 'LOCAL'] }));
      expect(c.identifiers.map((i) => i.value)).toEqual(['55', '56', '1001']);
      // assigns may name the OID of a domain the message names by namespace
      const byOid = register(adt({ controlId: 'I12', pid3: `${id('1001')}~55^^^CLINIC^PI` }), profile({ assigns: [OID_B] }));
      expect(byOid.identifiers.map((i) => i.value)).toEqual(['55', '1001']);
    });

    it('refuses a message with no identifier in a domain the sender assigns', () => {
      const e = mapError(adt({ controlId: 'I13', pid3: `${id('1001')}~55^^^LOCAL^PI` }), profile({ assigns: ['CLINIC'] }));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 204, 'PID-3']);
    });
  });

  describe('demographics', () => {
    it('puts the legal name first and keeps the others in order', () => {
      const c = register(adt({ controlId: 'D1', name: 'DOE^JJ^^^^^N~SMITH^JANE^^^^^M~DOE^JANE^^^^^L~^^^^^^A' }));
      expect(c.demographics.names).toEqual([
        { family: 'DOE', given: 'JANE', type: 'L' },
        { family: 'DOE', given: 'JJ', type: 'N' },
        { family: 'SMITH', given: 'JANE', type: 'M' },
      ]);
    });

    it.each([
      ['1980', '1980', 'year'],
      ['198007', '1980-07', 'month'],
      ['19800715', '1980-07-15', 'day'],
      ['198007151230', '1980-07-15', 'day'],
      ['20240601', '2024-06-01', 'day'],
      // up to the latest date anywhere on Earth (UTC+14) is not "future"
      ['20240602', '2024-06-02', 'day'],
    ])('keeps the precision of DOB %s', (dob, iso, precision) => {
      const d = register(adt({ controlId: 'D2', dob })).demographics;
      expect(d.birthDate).toBe(iso);
      expect(d.birthDatePrecision).toBe(precision);
    });

    it('maps a "" DOB to null and an empty one to absent', () => {
      const nulled = register(adt({ controlId: 'D3', dob: '""' })).demographics;
      expect(nulled.birthDate).toBeNull();
      expect(nulled.birthDatePrecision).toBeUndefined();
      expect('birthDate' in register(adt({ controlId: 'D4', dob: '' })).demographics).toBe(false);
    });

    it.each(['19800231', '19801301', '1980AB01', '2024060', '20240603', '20250101', '1879', '18791231'])('refuses DOB %s with 102 at PID-7', (dob) => {
      const e = mapError(adt({ controlId: 'D5', dob }));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 102, 'PID-7']);
    });

    it.each([
      ['F', 'F'],
      ['m', 'M'],
      ['O', 'O'],
      ['U', 'U'],
      ['A', 'A'],
      ['N', 'N'],
    ])('maps sex %s to %s', (sex, expected) => {
      expect(register(adt({ controlId: 'D6', sex })).demographics.sex).toBe(expected);
    });

    it('maps sex "" to null and drops unknown codes', () => {
      expect(register(adt({ controlId: 'D7', sex: '""' })).demographics.sex).toBeNull();
      expect('sex' in register(adt({ controlId: 'D8', sex: 'X' })).demographics).toBe(false);
      expect('sex' in register(adt({ controlId: 'D9', sex: '' })).demographics).toBe(false);
    });

    it('keeps the Z-segments the profile asks for, as received', () => {
      const text = adt({ controlId: 'D10', extraSegments: ['ZPI|1|a^b', 'ZXX|2'] });
      expect(register(text, profile({ keepZSegments: ['ZPI'] })).demographics.zSegments).toEqual(['ZPI|1|a^b']);
      expect(register(text).demographics.zSegments).toBeUndefined();
    });
  });

  describe('A40', () => {
    const a40 = (controlId: string, pid3: string, mrg1: string | undefined, extraSegments?: string[]) => adt({ event: 'A40', controlId, pid3, mrg1, extraSegments });

    it('maps one PID/MRG group', () => {
      const groups = merge(a40('G1', id('1'), id('2')));
      expect(groups).toHaveLength(1);
      expect(groups[0]!.survivor).toEqual([{ authority: { oid: OID_A, namespace: 'HOSPA' }, value: '1', type: 'MR' }]);
      expect(groups[0]!.retired).toEqual([{ authority: { oid: OID_A, namespace: 'HOSPA' }, value: '2', type: 'MR' }]);
      expect(groups[0]!.demographics.names[0]).toMatchObject({ family: defaultPerson(id('1')).name.split('^')[0] });
    });

    it('maps several PID/MRG groups, each with its own demographics', () => {
      const groups = merge(a40('G2', id('1'), id('2'), ['PID|2||3^^^CLINIC^PI||ROE^RICHARD||19700101|M', 'MRG|4^^^CLINIC^PI~5^^^CLINIC^PI']));
      expect(groups.map((g) => [g.survivor.map((s) => s.value), g.retired.map((r) => r.value)])).toEqual([
        [['1'], ['2']],
        [['3'], ['4', '5']],
      ]);
      expect(groups[1]!.demographics).toMatchObject({ names: [{ family: 'ROE', given: 'RICHARD' }], birthDate: '1970-01-01', sex: 'M' });
    });

    it('refuses an A40 without MRG (100)', () => {
      const e = mapError(a40('G3', id('1'), undefined));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 100, 'MRG']);
    });

    it('refuses an A40 with an empty MRG-1 (101) or an empty PID-3 (101)', () => {
      expect([mapError(a40('G4', id('1'), '')).hl7Code, mapError(a40('G4', id('1'), '')).path]).toEqual([101, 'MRG-1']);
      expect([mapError(a40('G5', '', id('2'))).hl7Code, mapError(a40('G5', '', id('2'))).path]).toEqual([101, 'PID-3']);
    });

    it('refuses an MRG without a preceding PID (100)', () => {
      const e = mapError(a40('G6', id('1'), id('2'), ['MRG|3^^^HOSPA^MR']));
      expect([e.hl7Code, e.path]).toEqual([100, 'MRG']);
    });

    it('refuses a merge across authorities (204)', () => {
      const e = mapError(a40('G7', id('1'), '2^^^CLINIC^PI'));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 204, 'MRG-1']);
      expect(e.message).toContain('differs from PID-3');
    });

    it('refuses MRG-1 equal to PID-3 (205)', () => {
      const e = mapError(a40('G8', id('1'), '1^^^HOSPA^MR'));
      expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 205, 'MRG-1']);
    });

    it('refuses a merge in a domain the sender does not assign', () => {
      const p = profile({ assigns: ['CLINIC'] });
      const e = mapError(a40('G9', id('1'), id('2')), p);
      expect([e.hl7Code, e.path]).toEqual([204, 'MRG-1']);
      expect(merge(a40('G10', '3^^^CLINIC^PI', '4^^^CLINIC^PI'), p)[0]!.retired[0]!.value).toBe('4');
    });

    // Only the merged domain must be the sender's: a cross-reference listed first in PID-3 does not matter.
    it('accepts a merge within an assigned domain when PID-3 lists a cross-reference first', () => {
      const groups = merge(a40('G11', `${id('1')}~3^^^CLINIC^PI`, '4^^^CLINIC^PI'), profile({ assigns: ['CLINIC'] }));
      expect(groups[0]!.retired.map((r) => r.value)).toEqual(['4']);
    });
  });
});

describe('interpret', () => {
  const run = (text: string, cfg: FileConfig = cfgNone) => interpret(text, cfg, regNone, NOW);
  const runError = (text: string, cfg?: FileConfig) => ingestError(() => run(text, cfg));

  it('returns header, sender profile, event and command of a good message', () => {
    const r = run(adt({ controlId: 'OK1' }));
    expect(r.event).toBe('A04');
    expect(r.header.controlId).toBe('OK1');
    expect(r.sender).toEqual({ sender: 'EPIC|HOSPA', profile: cfgNone.defaultProfile, configured: false });
    expect(r.command.kind).toBe('register');
  });

  it('takes the event from EVN-1 when MSH-9 has no trigger', () => {
    expect(run(adt({ controlId: 'OK2', event: 'A08', messageType: 'ADT' })).event).toBe('A08');
  });

  it.each<[string, string, number, string]>([
    ['a missing MSH-10', adt({ controlId: '' }), 101, 'MSH-10'],
    ['a non-ADT message', adt({ controlId: 'H2', messageType: 'ORU^R01^ORU_R01' }), 200, 'MSH-9.1'],
    ['an unsupported version', adt({ controlId: 'H3', version: '3.0' }), 203, 'MSH-12'],
    ['a missing version', adt({ controlId: 'H4', version: '' }), 101, 'MSH-12'],
    ['an unsupported event', adt({ controlId: 'H5', event: 'A03' }), 201, 'MSH-9.2'],
    ['text that is not HL7', 'hello world\r', 100, 'MSH'],
  ])('refuses %s as a header error', (_what, text, code, path) => {
    const e = runError(text);
    expect([e.kind, e.hl7Code, e.path]).toEqual(['header', code, path]);
  });

  it('refuses a processing id the profile does not accept (202)', () => {
    const cfg = parseFileConfig({ defaultProfile: { processingIds: ['P'] } });
    const training = adt({ controlId: 'H6' }).replace('|H6|P|', '|H6|T|');
    const e = ingestError(() => interpret(training, cfg, regOid, NOW));
    expect([e.kind, e.hl7Code, e.path]).toEqual(['header', 202, 'MSH-11']);
    expect(interpret(adt({ controlId: 'H7' }), cfg, regOid, NOW).event).toBe('A04');
  });

  it('refuses an event the sender profile does not accept (201), by the most specific profile', () => {
    const cfg = parseFileConfig({
      authorities: AUTHORITIES,
      senders: [
        { application: 'EPIC', facility: 'HOSPB', acceptedEvents: ['A08'] },
        { application: 'EPIC', acceptedEvents: ['A04'] },
      ],
    });
    const e = runError(adt({ controlId: 'H8', facility: 'HOSPB' }), cfg);
    expect([e.kind, e.hl7Code, e.path]).toEqual(['header', 201, 'MSH-9.2']);
    const ok = run(adt({ controlId: 'H9', facility: 'HOSPA' }), cfg);
    expect(ok.sender).toMatchObject({ sender: 'EPIC|HOSPA', configured: true });
    expect(runError(adt({ controlId: 'H10', event: 'A08', facility: 'HOSPA' }), cfg).hl7Code).toBe(201);
  });

  it('refuses an unknown sender when unknownSenders is reject', () => {
    const cfg = parseFileConfig({ authorities: AUTHORITIES, senders: [{ application: 'EPIC' }], unknownSenders: 'reject' });
    const e = runError(adt({ controlId: 'H11', app: 'OTHER' }), cfg);
    expect([e.kind, e.hl7Code, e.path]).toEqual(['header', 204, 'MSH-3']);
    expect(run(adt({ controlId: 'H12', app: 'EPIC' }), cfg).sender.configured).toBe(true);
  });

  it('reports content problems as content errors', () => {
    const e = runError(adt({ controlId: 'C1', dob: '20990101' }));
    expect([e.kind, e.hl7Code, e.path]).toEqual(['content', 102, 'PID-7']);
  });
});

describe('contentHash and dedupKeyOf', () => {
  const text = adt({ controlId: 'X1' });

  it('hashes CR, LF and CRLF variants (and trailing line ends) alike', () => {
    const h = contentHash(text);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(text.replace(/\r/g, '\n'))).toBe(h);
    expect(contentHash(text.replace(/\r/g, '\r\n'))).toBe(h);
    expect(contentHash(text.replace(/\r$/, ''))).toBe(h);
    expect(contentHash(text + '\r\n\r\n')).toBe(h);
  });

  it('hashes different content differently', () => {
    const h = contentHash(text);
    expect(contentHash(adt({ controlId: 'X1', name: 'DOE^JOHN' }))).not.toBe(h);
    expect(contentHash(text.replace('PID|1||', 'PID|1| |'))).not.toBe(h);
    // a line break inside a segment is content, not a line-end variant
    expect(contentHash(text.replace('\rEVN', 'EVN'))).not.toBe(h);
  });

  it('keys a message by raw MSH-3, MSH-4 and MSH-10', () => {
    const key = (t: string) => dedupKeyOf(readHeader(parseMessage(t)));
    expect(key(text)).toBe('EPIC|HOSPA\u001fX1');
    expect(key(adt({ controlId: 'X1', name: 'OTHER^NAME' }))).toBe(key(text));
    expect(key(adt({ controlId: 'X2' }))).not.toBe(key(text));
    expect(key(adt({ controlId: 'X1', facility: 'HOSPB' }))).not.toBe(key(text));
    expect(key(adt({ controlId: 'X1', app: 'EPIC^1.2.3^ISO' }))).toBe('EPIC^1.2.3^ISO|HOSPA\u001fX1');
    expect(dedupKeyOf({ sendingApplication: { raw: 'EPIC' }, sendingFacility: { raw: 'HOSPA' }, controlId: undefined })).toBeNull();
    expect(dedupKeyOf({ sendingApplication: { raw: 'EPIC' }, sendingFacility: { raw: 'HOSPA' }, controlId: '' })).toBeNull();
  });
});
