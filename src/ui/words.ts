/*
 * The engine's codes in words a steward who is not a statistician can act on. A code without an entry is
 * shown as it is: a new reason or level must never disappear from the page.
 */

export const REASONS: Record<string, string> = {
  'between-thresholds': 'The score is in the grey zone: too high to call them different people, too low to link them automatically.',
  'same-authority': 'Both records come from the same source: the source should merge them (its own merge message), or you decide here.',
  'several-golden-records': 'The record matches more than one person strongly: linking it to one would hide that those may be one person too.',
  'linked-elsewhere':
    'The record was linked automatically to another person it matches far better (a thousand to one or more), yet it matches this one strongly too: the two may be one person with two golden records (merge them), or two people who look alike (not a match).',
  household: 'They look like two members of one household (same family name and address or phone) whose details differ.',
  'updated-record': 'The record was updated and no longer fits the person it belongs to as well as it did: does it still belong there?',
  'household-given-name': 'Same household, but the first names differ or one is missing: perhaps two family members.',
  'possible-twin': 'Same family name and birth date, similar but different first names, and nothing shows they live apart: possibly twins.',
  'household-generation': 'Same household, but born ten or more years apart: perhaps a parent and a child.',
  'ssn-disagrees': 'The two Social Security numbers are different.',
  'suffix-differs': 'The generational suffixes differ (Jr / Sr): perhaps a parent and a child.',
  'distinct-given-names': 'The first names are two different real names, not a typing slip of one another.',
  'names-differ': 'Neither the first nor the family name agrees (or the first names only sound alike and the birth dates differ too): whatever else matches, perhaps two people who live together.',
};

export const reasonText = (code: string) => REASONS[code] ?? code;

const REASON_SHORT: Record<string, string> = {
  'between-thresholds': 'grey zone',
  'same-authority': 'same source',
  'several-golden-records': 'matches several',
  'linked-elsewhere': 'linked elsewhere',
  household: 'household',
  'updated-record': 'record changed',
  'household-given-name': 'other first name',
  'possible-twin': 'possible twin',
  'household-generation': 'parent and child?',
  'ssn-disagrees': 'SSNs differ',
  'suffix-differs': 'Jr / Sr',
  'distinct-given-names': 'two first names',
  'names-differ': 'names differ',
};

export const reasonShort = (code: string) => REASON_SHORT[code] ?? code;

export const COMPARISONS: Record<string, string> = {
  given_name: 'First name',
  family_name: 'Family name',
  middle_name: 'Middle name',
  dob: 'Date of birth',
  sex: 'Sex',
  ssn: 'Social Security number',
  phone: 'Phone',
  postcode: 'ZIP code',
  street: 'Street address',
  other_id: 'Other identifier',
  household: 'Household correction',
};

export const comparisonName = (code: string) => COMPARISONS[code] ?? code;

/** Level codes: [short label for the chart, sentence for the table]. */
const LEVELS: Record<string, [string, string]> = {
  null: ['missing', 'missing on one side, so it counts neither way'],
  exact: ['same', 'the same'],
  nickname: ['nickname', 'a nickname of the same name (Bob / Robert)'],
  'jw-high': ['very similar', 'almost the same spelling (a letter or two apart)'],
  phonetic: ['sounds alike', 'spelt differently but sounds the same'],
  'jw-medium': ['similar', 'similar spelling'],
  initial: ['initial', 'only the initial agrees'],
  else: ['different', 'different'],
  'any-part': ['one part', 'one part of a multi-part name is the same'],
  reversed: ['swapped', 'first and family name swapped'],
  'partial-swap': ['part swapped', 'parts of the names swapped'],
  'day-month-swapped': ['d/m swapped', 'day and month swapped'],
  'one-digit': ['1 digit off', 'one digit different'],
  'transposed-digits': ['digits swapped', 'two digits swapped'],
  'year-off-by-one': ['year ±1', 'the year is one off'],
  'within-days': ['days apart', 'a few days apart'],
  'partial-agree': ['partly', 'partly the same'],
  'one-digit-or-transposition': ['1 digit off', 'one digit wrong or two digits swapped'],
  'last-four': ['last 4', 'only the last four digits agree'],
  city: ['same city', 'different ZIP code in the same city'],
  'two-parts': ['number+street', 'house number and street name agree'],
  'one-part': ['one part', 'the house number or the street name agrees'],
  'shared-residence': ['live together', 'people who live together share family name, address and phone: those count once, not three times'],
  'residence-withheld': ['home not counted', 'the names or the birth years say another person: a shared address, phone or ZIP code is not evidence that they are one'],
};

export const levelShort = (code: string) => LEVELS[code]?.[0] ?? code;
export const levelText = (code: string) => LEVELS[code]?.[1] ?? code;

export const FIELDS: Record<string, string> = {
  family: 'Family name',
  given: 'First name',
  middle: 'Middle name',
  suffix: 'Suffix',
  birthDate: 'Date of birth',
  sex: 'Sex',
  street: 'Street',
  city: 'City',
  state: 'State',
  zip: 'ZIP code',
  phone: 'Phone',
  ssnLast4: 'SSN (last 4)',
  mothersMaidenName: "Mother's maiden name",
  names: 'Name',
  addresses: 'Address',
  phones: 'Phone',
  ssn: 'SSN',
  deceased: 'Deceased',
  all: 'All fields',
};

export const fieldName = (code: string) => FIELDS[code] ?? code;

export const LINK_KINDS: Record<string, string> = {
  new: 'started a golden record of its own',
  asserted: 'sent together in one message',
  a40: 'merged by its source',
  auto: 'linked by the matcher',
  steward: 'linked by a steward',
};

export const linkKindText = (code: string | null) => (code === null ? '—' : (LINK_KINDS[code] ?? code));

/** "1 in 10,000" / "99.5 %": a probability as a person reads it. */
export function percent(p: number): string {
  // Past four nines the difference is in the weight, not in anything a percentage can show.
  if (p >= 0.99995) return '> 99.99 %';
  if (p >= 0.9995) return `${(p * 100).toFixed(2)} %`;
  if (p > 0 && p < 0.001) return `1 in ${Math.round(1 / p).toLocaleString('en-US')}`;
  return `${(p * 100).toFixed(1)} %`;
}

/** How many times likelier (or less likely) an outcome makes a match: 2^weight. */
export function timesLikelier(weight: number): string {
  const f = 2 ** Math.abs(weight);
  const n = f >= 100 ? Math.round(f).toLocaleString('en-US') : f.toFixed(1);
  if (Math.abs(weight) < 0.05) return 'makes no difference';
  return weight > 0 ? `makes a match ${n}× more likely` : `makes a match ${n}× less likely`;
}

export const signed = (x: number, digits = 1) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(digits)}`;

export const SEX: Record<string, string> = { F: 'female', M: 'male', O: 'other', A: 'ambiguous', N: 'not applicable', U: 'unknown' };

export function age(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 90) return 'just now';
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
