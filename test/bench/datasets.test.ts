// The quality bench's readers on inline samples of each format (the data sets themselves live beside the
// project, in ../shared, and are not needed here).
import { describe, expect, it } from 'vitest';
import {
  comparablePairCount,
  csvObjects,
  dsgenEntity,
  febrlEntity,
  febrlToPerson,
  FEBRL_ID_SYSTEM,
  historicalToPerson,
  isComparable,
  parseCsv,
  parseFebrlCsv,
  pseudopeopleToPerson,
  shiftYears,
  yearOnlyIfFirstOfJanuary,
  splinkFakeToPerson,
  truePairCount,
  type Dataset,
} from '../../bench/datasets.js';
import { normalizePerson } from '../../algorithms/person.js';

describe('parseCsv', () => {
  it('reads RFC 4180 quoting, CRLF and blank lines', () => {
    expect(parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\n\n2,,"multi\nline"\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', '', 'multi\nline'],
    ]);
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});

describe('FEBRL (febrl3/4)', () => {
  const text = `rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id
rec-1496-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974
rec-552-dup-3, harley, mccarthy, 177, pridhamstreet, milton, marsden, 3165, nsw, 19080419, 6089216
rec-10-org, , , , , , , , , , 
`;
  const rows = parseFebrlCsv(text);

  it('trims the space after each comma and maps the columns', () => {
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ rec_id: 'rec-1496-org', given_name: 'mitchell', postcode: '2119', soc_sec_id: '1804974' });
    expect(febrlToPerson(rows[0]!)).toEqual({
      names: [{ given: 'mitchell', family: 'green', type: 'L' }],
      birthDate: '19560409',
      sex: null,
      addresses: [{ street: '7 wallaby place', other: 'delmar', city: 'cleveland', state: 'sa', zip: '2119' }],
      phones: [],
      ssn: null,
      otherIds: [{ system: FEBRL_ID_SYSTEM, value: '1804974' }],
    });
    // soc_sec_id is not a US SSN: never mapped as one, but as an identifier of its own system.
    expect(febrlToPerson(rows[1]!).ssn).toBeNull();
    expect(normalizePerson(febrlToPerson(rows[1]!)).otherIdValues).toEqual(['6089216']);
    expect(febrlToPerson(rows[2]!).otherIds).toEqual([]);
    expect(febrlToPerson(rows[2]!).birthDate).toBeNull();
  });

  it('reads the entity from rec-N-org / rec-N-dup-k', () => {
    expect(febrlEntity('rec-552-dup-3')).toBe('552');
    expect(febrlEntity('rec-552-org')).toBe('552');
    expect(() => febrlEntity('552')).toThrow();
  });
});

describe('FEBRL dsgen (C, F)', () => {
  const text = `rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,age,phone_number,soc_sec_id,blocking_number
29100,riley,barlovic,53,ashley drive,,kallangur,6743,wa,19060616,39,07 81212208,1782872,0
5434,kimbreeoly,turner,,costellowdrcuit,,lane cove,5290,wa,,,08 89211617,8866229,3
`;
  const rows = parseFebrlCsv(text);

  it('maps the phone number and soc_sec_id, and no age, SSN or blocking number', () => {
    const p = febrlToPerson(rows[0]!);
    expect(p.phones).toEqual([{ number: '07 81212208' }]);
    expect(p.addresses[0]).toEqual({ street: '53 ashley drive', other: '', city: 'kallangur', state: 'wa', zip: '6743' });
    expect(p.ssn).toBeNull();
    expect(p.otherIds).toEqual([{ system: FEBRL_ID_SYSTEM, value: '1782872' }]);
    expect(normalizePerson(p).phone).toBe('0781212208');
    expect(febrlToPerson(rows[1]!).birthDate).toBeNull();
  });

  it('takes rec_id without its last digit as the entity', () => {
    expect(dsgenEntity('29100')).toBe('2910');
    expect(dsgenEntity('00')).toBe('0');
    expect(dsgenEntity('1491')).toBe('149');
    expect(() => dsgenEntity('rec-1-org')).toThrow();
  });
});

describe('Splink', () => {
  it('fake_1000: names, ISO dob and city; email ignored', () => {
    const [row] = csvObjects('unique_id,first_name,surname,dob,city,email,cluster\n0,Robert,Alan,1971-06-24,,robert255@smith.net,0\n');
    expect(row).toMatchObject({ unique_id: '0', cluster: '0' });
    expect(splinkFakeToPerson(row!)).toEqual({
      names: [{ given: 'Robert', family: 'Alan' }],
      birthDate: '1971-06-24',
      sex: null,
      addresses: [],
      phones: [],
      ssn: null,
    });
    const [withCity] = csvObjects('unique_id,first_name,surname,dob,city,email,cluster\n3,Rob,Allen,1971-06-24,London,,0\n');
    expect(splinkFakeToPerson(withCity!).addresses).toEqual([{ city: 'London' }]);
  });

  it('historical_50k: quoted fields, gender, UK postcode, dates moved by 400 years, 1 January as a year', () => {
    const [row] = csvObjects(
      'unique_id,cluster,full_name,first_and_surname,first_name,surname,dob,birth_place,postcode_fake,gender,occupation\n' +
        'Q2296770-1,Q2296770,"thomas clifford, 1st baron clifford of chudleigh",thomas chudleigh,thomas,chudleigh,1630-08-01,devon,tq13 8df,male,politician\n',
    );
    expect(row!.full_name).toBe('thomas clifford, 1st baron clifford of chudleigh');
    const p = historicalToPerson(row!);
    expect(p).toEqual({
      names: [{ given: 'thomas', family: 'chudleigh' }],
      birthDate: '2030-08-01',
      sex: 'male',
      addresses: [{ zip: 'tq13 8df' }],
      phones: [],
      ssn: null,
    });
    expect(normalizePerson(p).dobKey).toBe('20300801');
    expect(normalizePerson(p).sex).toBe('M');
    // 29 February stays valid: 400 years is a whole Gregorian cycle.
    expect(normalizePerson({ ...p, birthDate: shiftYears('1604-02-29', 400) }).dobKey).toBe('20040229');
    expect(shiftYears(null, 400)).toBeNull();
    // 1 January is Wikidata's year-only date: read as the year alone.
    expect(historicalToPerson({ ...row!, dob: '1824-01-01' }).birthDate).toBe('2224');
    expect(yearOnlyIfFirstOfJanuary('2224-01-02')).toBe('2224-01-02');
    expect(yearOnlyIfFirstOfJanuary(null)).toBeNull();
  });
});

describe('pseudopeople', () => {
  it('census rows: middle initial, address with unit, household; placeholder ZIP dropped', () => {
    const [row] = csvObjects(
      'unit_number,household_id,copy_age,zipcode,copy_date_of_birth,guardian_1,first_name,relationship_to_reference_person,state,middle_initial,year,guardian_2,street_name,race_ethnicity,simulant_id,city,date_of_birth,housing_type,sex,street_number,age,last_name\n' +
        'apt 3,0_7,25,00000,1994-09-29,,Diana,Reference person,WA,P,2020,,145th st,White,0_2,Anytown,1994-05-06,Household,Female,5112,25,Kofron\n',
    );
    const p = pseudopeopleToPerson(row!);
    expect(p).toEqual({
      names: [{ given: 'Diana', family: 'Kofron', middle: 'P' }],
      birthDate: '1994-05-06',
      sex: 'Female',
      addresses: [{ street: '5112 145th st', other: 'apt 3', city: 'Anytown', state: 'WA', zip: '00000' }],
      phones: [],
      ssn: null,
    });
    const n = normalizePerson(p);
    expect(n.postcodes).toEqual([]);
    expect(n.street).toBe('5112 145TH ST');
  });

  it('social security rows: SSN and middle name, no address', () => {
    const [row] = csvObjects(
      'copy_ssn,event_date,copy_date_of_birth,simulant_id,ssn,first_name,date_of_birth,sex,last_name,event_type,middle_name\n' +
        ',1919-12-04,,0_19979,786-77-6454,Evelyn,1919-12-04,Female,Sorrell,creation,Nancy\n',
    );
    const p = pseudopeopleToPerson(row!);
    expect(p.names).toEqual([{ given: 'Evelyn', family: 'Sorrell', middle: 'Nancy' }]);
    expect(p.addresses).toEqual([]);
    expect(p.ssn).toBe('786-77-6454');
    expect(normalizePerson(p).ssn).toBe('786776454');
  });
});

describe('pair counts', () => {
  const rec = (entity: string, source: 0 | 1) => ({ id: entity, entity, source, input: { names: [], addresses: [], phones: [] } });
  it('counts true and comparable pairs of a linkage across sources only, of a dedup among all', () => {
    const link: Dataset = { name: 'l', mode: 'link', records: [rec('1', 0), rec('2', 0), rec('1', 1), rec('1', 1), rec('3', 1)] };
    expect(truePairCount(link)).toBe(2);
    expect(comparablePairCount(link)).toBe(6);
    expect(isComparable(link, 0, 1)).toBe(false);
    expect(isComparable(link, 0, 2)).toBe(true);
    const dedup: Dataset = { name: 'd', mode: 'dedup', records: [rec('1', 0), rec('1', 0), rec('1', 0), rec('2', 0)] };
    expect(truePairCount(dedup)).toBe(3);
    expect(comparablePairCount(dedup)).toBe(6);
  });
});
