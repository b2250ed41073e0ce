/**
 * A third synthetic multi-sender HL7 v2.5 ADT feed with ground truth, designed independently of
 * bench/adt-population.ts and bench/adt-population-alt.ts (it shares only their exported types and
 * helpers), so that bench/adt-quality.ts can check that the matcher is not tuned to either of them.
 *
 * The model is the one a health-information-exchange test team would write in the style of the GeCo /
 * FEBRL "dsgen" corruptors, carried into HL7: first a clean population, then one corrupted copy of a
 * person per source record, each sender with its own error model.
 *
 *  - Population: households in a Gulf Coast metro area (Houston and its suburbs, a few from Beaumont and
 *    Lake Charles), each with an ethnicity that drives its names (general US, Hispanic, Vietnamese, Korean,
 *    Indian, Nigerian, Arabic): singles, couples, families with children born 1-3 years apart, single
 *    parents, three-generation households, roommates. Names are drawn Zipf-like, so a few are very common.
 *    Hispanic adults may carry two surnames (GARCIA LOPEZ, GARCIA-LOPEZ), women take their husband's name
 *    or a double-barrel one, some adults use an adopted English name (JI-HOON → JASON).
 *  - Hard cases: twins (and a few triplets: every pair is in twinPairs) with similar or same-initial given
 *    names and, often, consecutive SSNs; junior/senior pairs living together; very common names (MARIA
 *    GARCIA, JAMES SMITH…) some sharing a birth year; siblings; spouses; unrelated namesakes with the same
 *    name and DOB in different cities; marriages (family name change) and moves during the feed.
 *  - Six senders (OIDs under POPULATION_OID_ROOT.3xx): two hospitals (full CX.4, SSN in PID-19 with and
 *    without dashes), a reference lab (names, DOB and sex only; OCR errors and a legacy field length), an
 *    FQHC clinic (namespace-only CX.4, mixed case, A28/A31), an urgent care (empty CX.4, SSN as a PID-3
 *    repetition with CX.5 = SS, 999-99-9999 for unknown SSNs, DOB defaulted to January 1), an imaging center
 *    (referral faxes: swapped names, day/month swaps). Per sender: registrations, updates that may carry a
 *    move or a name change (or not: stale copies), corrections, same-sender duplicates (more error-prone
 *    than first registrations, as in real life) of which some are merged by A40.
 *
 * Ground truth: `records[].variations` uses the coarse Variation vocabulary of bench/adt-population.ts (what
 * the quality bench tallies); `records[].errors` lists the fine-grained corruptions (keyboard, OCR, phonetic,
 * nickname, alias, swaps, dob-year, dob-jan1, ssn-digit, ssn-guarantor, old-address…). Formatting that a
 * sender applies to everything it sends (case, abbreviations, accents, particles) is an error only in
 * `errors`, never a Variation. Pure and deterministic: no I/O, no Math.random, same options → same bytes.
 */
import {
  POPULATION_OID_ROOT,
  hl7Escape,
  type HardCaseRates,
  type Person,
  type PersonAddress,
  type PersonTag,
  type Population,
  type PopulationMessage,
  type PopulationSender,
  type SenderErrorProfile,
  type Sex,
  type SourceRecordTruth,
  type Variation,
} from './adt-population.js';

// ---------------------------------------------------------------------------------------------- types

export type Ethnicity = 'general' | 'hispanic' | 'vietnamese' | 'korean' | 'indian' | 'nigerian' | 'arab';

/** Facts about a person beyond PersonTag (which has no words for them). */
export type ThirdTrait =
  | 'spouse'
  | 'sibling'
  | 'triplet'
  | 'namesake'
  | 'roommate'
  | 'compound-surname'
  | 'double-barrel'
  | 'married-before-feed'
  | 'alias'
  | 'no-ssn'
  | 'consecutive-ssn';

type NameField = 'family' | 'given';
/** Fine-grained corruption kinds, per record (see the module comment). */
export type ThirdErrorKind =
  | `${NameField}-${'keyboard' | 'ocr' | 'phonetic' | 'truncated'}`
  | 'nickname'
  | 'alias'
  | 'given-middle-swap'
  | 'name-swap'
  | 'given-initial'
  | 'given-part'
  | 'given-format'
  | 'surname-part'
  | 'surname-format'
  | 'particle-format'
  | 'maiden-family'
  | 'stale-maiden'
  | 'accent'
  | 'lower-case'
  | 'whitespace'
  | 'dob-swap'
  | 'dob-digit'
  | 'dob-ocr'
  | 'dob-year'
  | 'dob-jan1'
  | 'missing-ssn'
  | 'ssn-placeholder'
  | 'ssn-digit'
  | 'ssn-transposed'
  | 'ssn-guarantor'
  | 'missing-phone'
  | 'phone-digit'
  | 'old-phone'
  | 'missing-address'
  | 'old-address'
  | 'street-typo'
  | 'unit-dropped'
  | 'suffix'
  | 'delimiter';

export interface ThirdPerson extends Person {
  ethnicity: Ethnicity;
  traits: ThirdTrait[];
  /** Adopted English given name some registrations use (JI-HOON → JASON). */
  alias?: string;
  /** Maiden name of a woman who took her husband's name before the feed. */
  birthFamily?: string;
  spouseOf?: number;
}

export interface ThirdAddressParts {
  number: string;
  /** Index into DIRECTIONS. */
  direction?: number;
  name: string;
  /** Index into STREET_TYPES. */
  type: number;
  unit?: { kind: 'APT' | 'UNIT' | 'STE' | 'LOT'; id: string };
  /** A street-line extra that carries an HL7 delimiter (`&`), sent in XAD.2. */
  delimiterLine?: string;
}

/** `street` and `other` are the USPS-style canonical lines; senders render `parts` their own way. */
export interface ThirdAddress extends PersonAddress {
  parts: ThirdAddressParts;
}

export interface ThirdRecordTruth extends SourceRecordTruth {
  errors: ThirdErrorKind[];
}

/** One sender's error and convention model (per record unless noted). */
export interface ThirdErrorModel {
  /** Per name field: one keyboard error (neighbour substitution, insertion, deletion, transposition). */
  keyboard: number;
  /** Per name field: one OCR confusion (0/O, 1/I/L, 5/S, 8/B, rn/m, cl/d…). */
  ocr: number;
  /** Per name field: one phonetic misspelling (-son/-sen, ph/f, c/k, y/i, doubled consonants…). */
  phonetic: number;
  /** Registered under a nickname, when the given name has one. */
  nickname: number;
  /** Registered under the person's adopted English name, when there is one. */
  alias: number;
  givenMiddleSwap: number;
  /** Given and family swapped (×4 for Vietnamese and Korean names). */
  nameSwap: number;
  /** Given name sent as its initial only (and no middle). */
  givenInitial: number;
  /** A woman married before the feed registered under her maiden name (an old chart). */
  staleMaiden: number;
  middleFull: number;
  middleInitial: number;
  suffix: number;
  /** Two surnames (GARCIA LOPEZ): only the first / hyphenated. */
  compoundFirst: number;
  compoundHyphen: number;
  /** Double-barrel (LOPEZ-SMITH): only the last part / a space for the hyphen. */
  barrelLast: number;
  barrelSpace: number;
  /** Compound given name (JUAN CARLOS): split into given + middle / first part only. */
  givenSplit: number;
  givenFirstOnly: number;
  /** DE LA CRUZ → DELACRUZ, O'NEIL → ONEIL (a legacy system that allows letters only). */
  lettersOnly: number;
  /** MUNOZ → MUÑOZ (only the UTF-8 sender). */
  accents: number;
  lowerCase: number;
  whitespace: number;
  maxFamily?: number;
  maxGiven?: number;
  dobSwap: number;
  dobDigit: number;
  dobYear: number;
  /** DOB defaulted to January 1 of the right year. */
  dobJan1: number;
  /** Digit errors read by OCR (3/8, 1/7, 5/6) instead of keypad neighbours. */
  dobOcr: boolean;
  missingSsn: number;
  /** Share of unknown SSNs sent as 999-99-9999 instead of nothing. */
  ssnPlaceholder: number;
  ssnDigit: number;
  ssnTranspose: number;
  /** A child's record carries a parent's SSN (the guarantor's). */
  ssnGuarantor: number;
  missingPhone: number;
  phoneDigit: number;
  mobile: 'first' | 'second' | 'never';
  missingAddress: number;
  streetTypo: number;
  unitDropped: number;
  streetStyle: 'usps' | 'full' | 'mixed';
  unitStyle: 'other' | 'inline' | 'hash';
  zip4: number;
  /** Per person at this sender: a second MRN. */
  duplicate: number;
  /** Error-rate multiplier for the duplicate's registration (it exists because the search missed). */
  duplicateNoise: number;
  a40: number;
  /** Mean updates per record (Poisson). */
  updates: number;
  learnsMove: number;
  learnsNameChange: number;
  /** The first update corrects the registration's errors. */
  fixOnUpdate: number;
}

export interface ThirdSender extends PopulationSender {
  model: ThirdErrorModel;
  /** Registration hours (local). */
  hours: readonly [number, number];
  /** Coverage multipliers. */
  affinity: { child: number; adult: number; senior: number; ethnic?: Partial<Record<Ethnicity, number>> };
  /** PV1-2 of registrations. */
  patientClass: 'I' | 'O' | 'E';
  /** XPN.7 = L sent. */
  nameType: boolean;
  /** PID-18 account number. */
  accountInPid18: boolean;
}

export interface ThirdPopulation extends Population {
  senders: ThirdSender[];
  persons: ThirdPerson[];
  records: ThirdRecordTruth[];
  siblingPairs: Array<[number, number]>;
  spousePairs: Array<[number, number]>;
  namesakePairs: Array<[number, number]>;
  tripletSets: Array<[number, number, number]>;
  /** ms epoch of `at` = 0. */
  start: number;
  days: number;
}

export interface ThirdPopulationOptions {
  seed: number;
  persons: number;
  /** [formal, nickname] pairs (fixtures/names/nicknames.csv), any case. */
  nicknames?: ReadonlyArray<readonly [string, string]>;
}

/**
 * The hard-case rates of this generator. twins: twin households per person (a few are triplets);
 * juniorSenior: pairs per person; commonName: per household head, the chance to carry one of the very common
 * names (MARIA GARCIA…); marriedNameChange: per couple whose wife is at most 55 and has a name of her own,
 * the chance they marry during the feed (her family name changes then); move: households moving during the
 * feed; delimiter: households whose address carries an `&` line.
 */
export const THIRD_RATES: Readonly<HardCaseRates> = Object.freeze({
  twins: 0.014,
  juniorSenior: 0.008,
  commonName: 0.05,
  marriedNameChange: 0.1,
  move: 0.1,
  delimiter: 0.004,
});
/** Unrelated same name + same DOB pairs (different cities), per person. */
const NAMESAKE_RATE = 0.0015;

// ---------------------------------------------------------------------------------------------- PRNG

/** murmur3 finaliser. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from any parts (FNV-1a over their text, finalised). */
function seedOf(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  return fmix(h);
}

/** xoshiro128** */
class Dice {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  constructor(seed: number) {
    this.s0 = fmix(seed ^ 0x9e3779b9) | 1;
    this.s1 = fmix(this.s0 + 0x6a09e667);
    this.s2 = fmix(this.s1 + 0xbb67ae85);
    this.s3 = fmix(this.s2 + 0x3c6ef372);
    for (let i = 0; i < 8; i++) this.u();
  }
  /** [0, 1) */
  u(): number {
    const r = Math.imul(((Math.imul(this.s1, 5) << 7) | (Math.imul(this.s1, 5) >>> 25)), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return r / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.u() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return p > 0 && this.u() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.u() * xs.length)]!;
  }
  /** Index drawn by weight. */
  weighted(ws: readonly number[]): number {
    let total = 0;
    for (const w of ws) total += w;
    let x = this.u() * total;
    for (let i = 0; i < ws.length; i++) {
      x -= ws[i]!;
      if (x < 0) return i;
    }
    return ws.length - 1;
  }
  poisson(mean: number): number {
    const l = Math.exp(-mean);
    let k = 0;
    let p = this.u();
    while (p > l && k < 8) {
      k++;
      p *= this.u();
    }
    return k;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.u() * 10));
    return s;
  }
}

/** A list drawn Zipf-like: weight 1/(rank + k)^s (a heavy head: the first few names are very common). */
class Zipf {
  private readonly cum: Float64Array;
  constructor(readonly items: readonly string[], k = 1.5, s = 1.05) {
    this.cum = new Float64Array(items.length);
    let t = 0;
    items.forEach((_, i) => {
      t += 1 / Math.pow(i + k, s);
      this.cum[i] = t;
    });
  }
  draw(d: Dice): string {
    const x = d.u() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

// ---------------------------------------------------------------------------------------------- names

const GIVEN: Record<Ethnicity | 'modern', Record<Sex, readonly string[]>> = {
  general: {
    M: [
      'JAMES', 'MICHAEL', 'ROBERT', 'JOHN', 'DAVID', 'WILLIAM', 'RICHARD', 'JOSEPH', 'THOMAS', 'CHRISTOPHER',
      'CHARLES', 'DANIEL', 'MATTHEW', 'ANTHONY', 'MARK', 'DONALD', 'STEVEN', 'ANDREW', 'PAUL', 'JOSHUA',
      'KENNETH', 'KEVIN', 'BRIAN', 'TIMOTHY', 'RONALD', 'GEORGE', 'JASON', 'EDWARD', 'JEFFREY', 'RYAN',
      'GARY', 'NICHOLAS', 'ERIC', 'STEPHEN', 'JONATHAN', 'LARRY', 'JUSTIN', 'SCOTT', 'BRANDON', 'BENJAMIN',
      'GREGORY', 'SAMUEL', 'PATRICK', 'FRANK', 'RAYMOND', 'DENNIS', 'JERRY', 'TYLER', 'AARON', 'DOUGLAS',
      'TERRY', 'WALTER', 'HAROLD', 'KEITH', 'ROGER', 'CARL', 'WAYNE', 'DWAYNE', 'MARCUS', 'DARNELL',
      'TERRENCE', 'ANDRE', 'JAMAL', 'TYRONE', 'CEDRIC', 'REGINALD', 'DEMETRIUS', 'LAMAR', 'DESHAWN', 'TRAVIS',
      'CURTIS', 'CLARENCE', 'WILLIE', 'BILLY', 'ALBERT',
    ],
    F: [
      'MARY', 'PATRICIA', 'JENNIFER', 'LINDA', 'ELIZABETH', 'BARBARA', 'SUSAN', 'JESSICA', 'SARAH', 'KAREN',
      'LISA', 'NANCY', 'BETTY', 'MARGARET', 'SANDRA', 'ASHLEY', 'KIMBERLY', 'EMILY', 'DONNA', 'MICHELLE',
      'CAROL', 'AMANDA', 'MELISSA', 'DEBORAH', 'STEPHANIE', 'REBECCA', 'SHARON', 'LAURA', 'CYNTHIA', 'KATHLEEN',
      'AMY', 'ANGELA', 'SHIRLEY', 'BRENDA', 'PAMELA', 'NICOLE', 'KATHERINE', 'CHRISTINE', 'DEBRA', 'RACHEL',
      'CAROLYN', 'JANET', 'HEATHER', 'DIANE', 'JULIE', 'JOYCE', 'VICTORIA', 'KELLY', 'CHRISTINA', 'TIFFANY',
      'LATOYA', 'KEISHA', 'SHANICE', 'TAMIKA', 'EBONY', 'LAKISHA', 'MONIQUE', 'DOROTHY', 'GLORIA', 'EVELYN',
      'JACQUELINE', 'TERESA', 'WANDA', 'BRITTANY', 'CRYSTAL',
    ],
  },
  modern: {
    M: [
      'LIAM', 'NOAH', 'OLIVER', 'ELIJAH', 'LUCAS', 'LEVI', 'ASHER', 'AIDEN', 'JAYDEN', 'JADEN',
      'GRAYSON', 'HUDSON', 'JAXON', 'EZRA', 'ISAIAH', 'ISAAC', 'JULIAN', 'CALEB', 'CAMERON', 'BRAYDEN',
      'HUNTER', 'CONNOR', 'LANDON', 'CARTER', 'OWEN', 'WYATT', 'LUKE', 'DYLAN', 'NATHAN', 'ETHAN',
      'MASON', 'LOGAN', 'JACKSON', 'CHRISTIAN', 'GAVIN', 'EASTON', 'JOSIAH', 'XAVIER', 'DOMINIC', 'JEREMIAH',
      'KAYDEN', 'KADEN',
    ],
    F: [
      'OLIVIA', 'EMMA', 'AVA', 'SOPHIA', 'ISABELLA', 'MIA', 'MYA', 'AMELIA', 'HARPER', 'ELLA',
      'ELLIE', 'CHLOE', 'ZOEY', 'ZOE', 'AUBREY', 'BROOKLYN', 'KAYLEE', 'KAILEY', 'MADISON', 'ADDISON',
      'PAISLEY', 'NEVAEH', 'AALIYAH', 'ALIYAH', 'SKYLAR', 'SAVANNAH', 'ALEXA', 'ALEXIS', 'LILY', 'HAILEY',
      'AVERY', 'PEYTON', 'KENNEDY', 'AUTUMN', 'JASMINE', 'DESTINY', 'TRINITY', 'MAKAYLA', 'GENESIS', 'JULIANA',
    ],
  },
  hispanic: {
    M: [
      'JOSE', 'JUAN', 'LUIS', 'CARLOS', 'JESUS', 'MIGUEL', 'ALEJANDRO', 'FRANCISCO', 'JORGE', 'ANTONIO',
      'PEDRO', 'MANUEL', 'RICARDO', 'FERNANDO', 'JAVIER', 'RAUL', 'SERGIO', 'EDUARDO', 'ROBERTO', 'ARMANDO',
      'ALFREDO', 'HECTOR', 'OSCAR', 'RAFAEL', 'ENRIQUE', 'GUILLERMO', 'RAMON', 'IGNACIO', 'SANTIAGO', 'DIEGO',
      'MATEO', 'EMILIANO', 'JUAN CARLOS', 'JOSE LUIS', 'MIGUEL ANGEL', 'JUAN PABLO',
    ],
    F: [
      'MARIA', 'GUADALUPE', 'ROSA', 'CARMEN', 'ANA', 'JUANA', 'LETICIA', 'VERONICA', 'ALEJANDRA', 'GABRIELA',
      'ADRIANA', 'MARTHA', 'YOLANDA', 'LUCIA', 'ESPERANZA', 'ELENA', 'SILVIA', 'BEATRIZ', 'CLAUDIA', 'DOLORES',
      'SOCORRO', 'XIMENA', 'CAMILA', 'VALENTINA', 'DANIELA', 'MARISOL', 'YESENIA', 'ARACELI', 'ROSARIO', 'CONCEPCION',
      'MARIA GUADALUPE', 'MARIA ELENA', 'ANA MARIA', 'MARIA DEL CARMEN',
    ],
  },
  vietnamese: {
    M: ['MINH', 'TUAN', 'HUNG', 'THANH', 'DUC', 'KHANH', 'QUANG', 'PHUC', 'HIEU', 'LONG', 'BAO', 'VINH'],
    F: ['LINH', 'HOA', 'TRANG', 'ANH', 'PHUONG', 'THUY', 'HANH', 'NGOC', 'MAI', 'LAN', 'THAO', 'VY'],
  },
  korean: {
    M: ['JI-HOON', 'MIN-JUN', 'SEUNG-HO', 'JAE-WON', 'DONG-HYUN', 'SUNG-MIN', 'YOUNG-SOO', 'HYUN-WOO', 'SANG-WOO', 'JUN-HO'],
    F: ['SEO-YEON', 'JI-WOO', 'MIN-JI', 'SOO-JIN', 'HYE-JIN', 'EUN-JI', 'YOUNG-HEE', 'JI-YOUNG', 'HA-EUN', 'SO-YEON'],
  },
  indian: {
    M: ['RAJESH', 'ANIL', 'SURESH', 'VIKRAM', 'ARJUN', 'SANJAY', 'RAHUL', 'AMIT', 'DEEPAK', 'RAVI', 'KARTHIK', 'NIKHIL'],
    F: ['PRIYA', 'SUNITA', 'ANJALI', 'LAKSHMI', 'DEEPA', 'KAVITHA', 'POOJA', 'NEHA', 'MEERA', 'DIVYA', 'SHREYA', 'ANANYA'],
  },
  nigerian: {
    M: ['CHIDI', 'EMEKA', 'CHINEDU', 'OLUWASEUN', 'ADEBAYO', 'OLUWATOBI', 'IFEANYI', 'OBINNA', 'BABATUNDE', 'KELECHI', 'UCHENNA', 'OLUSEGUN'],
    F: ['ADAEZE', 'NGOZI', 'CHIOMA', 'FOLASADE', 'OLUWAKEMI', 'ADAOBI', 'FUNMILAYO', 'YETUNDE', 'NKECHI', 'BLESSING', 'IFEOMA', 'TEMITOPE'],
  },
  arab: {
    M: ['MOHAMMED', 'AHMED', 'OMAR', 'MUHAMMAD', 'KHALID', 'YOUSEF', 'ALI', 'HASSAN', 'MOHAMED', 'IBRAHIM', 'MAHMOUD', 'TARIQ', 'KARIM'],
    F: ['FATIMA', 'AISHA', 'LAYLA', 'MARIAM', 'NOOR', 'HANA', 'YASMIN', 'RANIA', 'AMAL', 'SALMA', 'ZAINAB', 'HIBA'],
  },
};

const FAMILY: Record<Ethnicity, readonly string[]> = {
  general: [
    'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'MILLER', 'DAVIS', 'WILSON', 'ANDERSON', 'TAYLOR',
    'THOMAS', 'MOORE', 'JACKSON', 'MARTIN', 'THOMPSON', 'WHITE', 'HARRIS', 'CLARK', 'LEWIS', 'ROBINSON',
    'WALKER', 'YOUNG', 'ALLEN', 'KING', 'WRIGHT', 'SCOTT', 'HILL', 'GREEN', 'ADAMS', 'NELSON',
    'BAKER', 'HALL', 'CAMPBELL', 'MITCHELL', 'CARTER', 'ROBERTS', 'PHILLIPS', 'EVANS', 'TURNER', 'PARKER',
    'EDWARDS', 'COLLINS', 'STEWART', 'MORRIS', 'MURPHY', 'COOK', 'ROGERS', 'MORGAN', 'COOPER', 'PETERSON',
    'BAILEY', 'REED', 'KELLY', 'HOWARD', 'COX', 'WARD', 'RICHARDSON', 'WATSON', 'BROOKS', 'WOOD',
    'JAMES', 'BENNETT', 'GRAY', 'HUGHES', 'PRICE', 'SANDERS', 'MYERS', 'LONG', 'ROSS', 'FOSTER',
    'POWELL', 'JENKINS', 'PERRY', 'RUSSELL', 'SULLIVAN', 'BELL', 'COLEMAN', 'BUTLER', 'HENDERSON', 'BARNES',
    'FISHER', 'SIMMONS', 'PATTERSON', 'JORDAN', 'REYNOLDS', 'HAMILTON', 'GRAHAM', 'WALLACE', 'COLE', 'WEST',
    'HAYES', 'BRYANT', 'GIBSON', 'ELLIS', 'STEVENS', 'MURRAY', 'FORD', 'MARSHALL', 'OWENS', 'HARRISON',
    'WASHINGTON', 'JEFFERSON', 'FREEMAN', 'BOOKER', 'DAWSON', 'HOLLOWAY', 'BRADLEY', 'LAWSON', 'MCDANIEL', 'MCKINNEY',
    "O'NEIL", "O'CONNELL", 'MACDONALD', 'MCCARTHY', 'VAN DYKE', 'VAN BUREN', 'DE VRIES', 'DUBOIS', 'LAFLEUR', 'ST CLAIR',
    "D'AMICO", 'DELUCA', 'ROMANO', 'SCHULTZ', 'MEYER', 'KLEIN', 'WAGNER', 'HOFFMAN', 'KOWALCZYK', 'NOVAK',
    'PETROV', 'GOLDBERG', 'KAPLAN', 'FRIEDMAN', 'CHEN', 'WANG', 'ZHANG', 'LIU', 'WONG', 'HUANG', 'LIN', 'YANG',
  ],
  hispanic: [
    'GARCIA', 'HERNANDEZ', 'MARTINEZ', 'RODRIGUEZ', 'LOPEZ', 'GONZALEZ', 'PEREZ', 'SANCHEZ', 'RAMIREZ', 'TORRES',
    'FLORES', 'RIVERA', 'GOMEZ', 'DIAZ', 'REYES', 'MORALES', 'CRUZ', 'ORTIZ', 'GUTIERREZ', 'CHAVEZ',
    'RAMOS', 'RUIZ', 'ALVAREZ', 'MENDOZA', 'CASTILLO', 'JIMENEZ', 'MORENO', 'ROMERO', 'HERRERA', 'MEDINA',
    'AGUILAR', 'VASQUEZ', 'CASTRO', 'VARGAS', 'GUERRERO', 'MUNOZ', 'PENA', 'NUNEZ', 'SALAZAR', 'ESPINOZA',
    'TREVINO', 'GARZA', 'CANTU', 'SOLIS', 'ZAMORA', 'VILLARREAL', 'CASTANEDA', 'ORDONEZ', 'IBANEZ', 'YANEZ',
    'DE LA CRUZ', 'DE LEON', 'DEL RIO', 'DE LOS SANTOS', 'DE LA GARZA', 'SAN MIGUEL', 'VALENZUELA', 'BENAVIDES', 'ESQUIVEL', 'OCHOA',
  ],
  vietnamese: ['NGUYEN', 'TRAN', 'LE', 'PHAM', 'HOANG', 'HUYNH', 'PHAN', 'VU', 'VO', 'DANG', 'BUI', 'DO', 'HO', 'NGO', 'DUONG', 'LY'],
  korean: ['KIM', 'LEE', 'PARK', 'CHOI', 'JUNG', 'KANG', 'CHO', 'YOON', 'JANG', 'LIM', 'HAN', 'SHIN'],
  indian: ['PATEL', 'SHAH', 'SINGH', 'KUMAR', 'SHARMA', 'GUPTA', 'REDDY', 'DESAI', 'MEHTA', 'IYER', 'NAIR', 'RAO', 'CHOWDHURY', 'JOSHI'],
  nigerian: ['OKAFOR', 'ADEYEMI', 'OKONKWO', 'EZE', 'NWOSU', 'ADEBAYO', 'OLUWOLE', 'OGUNDIPE', 'CHUKWU', 'BALOGUN', 'OKEKE', 'ONYEKACHI', 'ADEWALE', 'OBI', 'NNAMDI', 'OYELARAN'],
  arab: ['HASSAN', 'ALI', 'IBRAHIM', 'MANSOUR', 'HADDAD', 'SALEH', 'AL-SAYED', 'ABDULLAH', 'NASSER', 'KHOURY', 'YOUSSEF', 'HAMDAN', 'AL-AMIN', 'ABU-ZAID', 'FARAH', 'OSMAN'],
};

/** Surname particles: a family name starting with one is one surname, not two. */
const PARTICLES = new Set(['DE', 'DEL', 'LA', 'LOS', 'VAN', 'VON', 'DA', 'DOS', 'DU', 'ST', 'SAN', 'AL', 'ABU', 'EL', 'LE']);

/** Adopted English names (Korean, Vietnamese and some Nigerian adults). */
const ALIASES: Record<Sex, readonly string[]> = {
  M: ['JASON', 'DAVID', 'KEVIN', 'TONY', 'PETER', 'DANIEL', 'STEVE', 'JOHN', 'ANDREW', 'MICHAEL'],
  F: ['GRACE', 'SARAH', 'JENNY', 'LINDA', 'TINA', 'JULIE', 'HELEN', 'AMY', 'CHRISTINE', 'SUSAN'],
};

/** The very common full names some household heads carry (sex, ethnicity). */
const COMMON_NAMES: ReadonlyArray<readonly [string, string, Sex, Ethnicity]> = [
  ['MARIA', 'GARCIA', 'F', 'hispanic'], ['JOSE', 'HERNANDEZ', 'M', 'hispanic'], ['JAMES', 'SMITH', 'M', 'general'],
  ['MICHAEL', 'JOHNSON', 'M', 'general'], ['JUAN', 'MARTINEZ', 'M', 'hispanic'], ['MARIA', 'RODRIGUEZ', 'F', 'hispanic'],
  ['LINH', 'NGUYEN', 'F', 'vietnamese'], ['ROBERT', 'WILLIAMS', 'M', 'general'], ['MARY', 'JOHNSON', 'F', 'general'],
  ['MARIA', 'HERNANDEZ', 'F', 'hispanic'], ['JOHN', 'SMITH', 'M', 'general'], ['MINH', 'NGUYEN', 'M', 'vietnamese'],
];
const COMMON_SET = new Set(COMMON_NAMES.map(([g, f]) => `${g} ${f}`));
/** Birth years some of the common-name heads share. */
const CLUSTER_YEARS = [1961, 1974, 1982, 1990];

/** Twin given names close in spelling or sound. */
const TWIN_SIMILAR: ReadonlyArray<readonly [string, Sex, string, Sex]> = [
  ['JAYDEN', 'M', 'JADEN', 'M'], ['ELLA', 'F', 'ELLIE', 'F'], ['ISAIAH', 'M', 'ISAAC', 'M'], ['MIA', 'F', 'MYA', 'F'],
  ['KAYLEE', 'F', 'KAILEY', 'F'], ['ALEXIS', 'F', 'ALEXA', 'F'], ['JULIAN', 'M', 'JULIANA', 'F'], ['ADRIAN', 'M', 'ADRIANA', 'F'],
  ['GABRIEL', 'M', 'GABRIELA', 'F'], ['DANIEL', 'M', 'DANIELA', 'F'], ['KADEN', 'M', 'KAYDEN', 'M'], ['ZOE', 'F', 'ZOEY', 'F'],
  ['MASON', 'M', 'MADISON', 'F'], ['ETHAN', 'M', 'EVAN', 'M'], ['AVA', 'F', 'EVA', 'F'], ['JOSE', 'M', 'JOSUE', 'M'],
  ['FRANCISCO', 'M', 'FRANCISCA', 'F'], ['MARIA', 'F', 'MARTA', 'F'], ['AIDEN', 'M', 'JADEN', 'M'], ['HAILEY', 'F', 'BAILEY', 'F'],
];

/** Hispanic diminutives (absent from the English nickname list), [formal, nickname]; always used. */
export const HISPANIC_NICKNAMES: ReadonlyArray<readonly [string, string]> = [
  ['GUADALUPE', 'LUPE'], ['FRANCISCO', 'PACO'], ['FRANCISCO', 'PANCHO'], ['JOSE', 'PEPE'], ['JESUS', 'CHUY'], ['ROBERTO', 'BETO'],
  ['ALBERTO', 'BETO'], ['ENRIQUE', 'KIKE'], ['GUILLERMO', 'MEMO'], ['ALEJANDRO', 'ALEX'], ['ALEJANDRA', 'ALE'], ['DOLORES', 'LOLA'],
  ['ROSARIO', 'CHAYO'], ['CONCEPCION', 'CONCHA'], ['IGNACIO', 'NACHO'], ['EDUARDO', 'LALO'], ['SOCORRO', 'COCO'], ['JAVIER', 'JAVI'],
  ['FERNANDO', 'NANDO'], ['MANUEL', 'MANNY'], ['RAFAEL', 'RAFA'], ['RAMON', 'MONCHO'], ['MARIA GUADALUPE', 'LUPE'], ['MOHAMMED', 'MO'],
];
/** Used when the caller passes no nickname list. */
const FALLBACK_NICKNAMES: ReadonlyArray<readonly [string, string]> = [
  ['ROBERT', 'BOB'], ['ROBERT', 'ROB'], ['WILLIAM', 'BILL'], ['WILLIAM', 'WILL'], ['JAMES', 'JIM'], ['MICHAEL', 'MIKE'], ['DAVID', 'DAVE'],
  ['JOSEPH', 'JOE'], ['THOMAS', 'TOM'], ['CHRISTOPHER', 'CHRIS'], ['DANIEL', 'DAN'], ['MATTHEW', 'MATT'], ['ANTHONY', 'TONY'],
  ['STEVEN', 'STEVE'], ['ANDREW', 'ANDY'], ['KENNETH', 'KEN'], ['TIMOTHY', 'TIM'], ['RONALD', 'RON'], ['EDWARD', 'ED'], ['JEFFREY', 'JEFF'],
  ['NICHOLAS', 'NICK'], ['GREGORY', 'GREG'], ['SAMUEL', 'SAM'], ['BENJAMIN', 'BEN'], ['PATRICK', 'PAT'], ['ELIZABETH', 'LIZ'],
  ['ELIZABETH', 'BETH'], ['PATRICIA', 'PATTY'], ['JENNIFER', 'JEN'], ['SUSAN', 'SUE'], ['JESSICA', 'JESS'], ['KATHERINE', 'KATE'],
  ['MARGARET', 'PEGGY'], ['DEBORAH', 'DEBBIE'], ['REBECCA', 'BECKY'], ['VICTORIA', 'TORI'], ['CHRISTINA', 'TINA'], ['ALEXANDER', 'ALEX'],
];
/** Nicknames people actually go by; rarer ones (ROBERT → DOBBIN) are used seldom. */
const EVERYDAY_NICKNAMES = new Set([
  'BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BILL', 'BILLY', 'WILL', 'JIM', 'JIMMY', 'JAMIE', 'MIKE', 'MIKEY', 'DAVE', 'DAVEY', 'JOE', 'JOEY',
  'TOM', 'TOMMY', 'CHRIS', 'DAN', 'DANNY', 'MATT', 'TONY', 'DON', 'DONNIE', 'STEVE', 'ANDY', 'DREW', 'PAT', 'KEN', 'KENNY', 'TIM',
  'RON', 'RONNIE', 'ED', 'EDDIE', 'JEFF', 'NICK', 'GREG', 'ALEX', 'SAM', 'BEN', 'FRANK', 'RAY', 'JERRY', 'ZACH', 'LARRY', 'DOUG',
  'PETE', 'WALT', 'HANK', 'AL', 'JON', 'JOHNNY', 'JACK', 'CHUCK', 'CHARLIE', 'RICK', 'RICKY', 'DICK', 'LIZ', 'BETH', 'BETSY', 'LIZZIE',
  'PATTY', 'TRISH', 'JEN', 'JENNY', 'SUE', 'SUSIE', 'JESS', 'JESSIE', 'KATE', 'KATIE', 'KATHY', 'CATHY', 'KIM', 'MEG', 'PEGGY',
  'MAGGIE', 'SANDY', 'DEB', 'DEBBIE', 'BECKY', 'VICKY', 'TORI', 'CHRISSY', 'TINA', 'ANGIE', 'MANDY', 'ABBY', 'ELLIE', 'JULIE',
  'TERRY', 'BARB', 'PAM', 'CINDY', 'JUDY', 'JAN', 'VAL', 'ASH', 'NIKKI', 'STEPH', 'BECCA', 'MEL', 'MISSY', 'SHERRY', 'DOT', 'DOTTIE',
  'LUPE', 'PACO', 'PANCHO', 'PEPE', 'CHUY', 'BETO', 'KIKE', 'MEMO', 'ALE', 'LOLA', 'CHAYO', 'CONCHA', 'NACHO', 'LALO', 'COCO', 'JAVI',
  'NANDO', 'MANNY', 'RAFA', 'MONCHO', 'MO', 'GABE', 'JOSH', 'NATE', 'ZACK', 'TY', 'JAKE', 'LUKE', 'LIV', 'BELLA', 'IZZY', 'SOPHIE',
]);

/** Accented spellings the UTF-8 sender uses. */
const ACCENTED: Record<string, string> = {
  MUNOZ: 'MUÑOZ', PENA: 'PEÑA', NUNEZ: 'NÚÑEZ', IBANEZ: 'IBÁÑEZ', YANEZ: 'YÁÑEZ', CASTANEDA: 'CASTAÑEDA', ORDONEZ: 'ORDÓÑEZ',
  PEREZ: 'PÉREZ', GONZALEZ: 'GONZÁLEZ', RODRIGUEZ: 'RODRÍGUEZ', HERNANDEZ: 'HERNÁNDEZ', LOPEZ: 'LÓPEZ', SANCHEZ: 'SÁNCHEZ',
  RAMIREZ: 'RAMÍREZ', GOMEZ: 'GÓMEZ', DIAZ: 'DÍAZ', MARTINEZ: 'MARTÍNEZ', JIMENEZ: 'JIMÉNEZ', ALVAREZ: 'ÁLVAREZ', VASQUEZ: 'VÁSQUEZ',
  GUTIERREZ: 'GUTIÉRREZ', SOLIS: 'SOLÍS', TREVINO: 'TREVIÑO', JOSE: 'JOSÉ', RAMON: 'RAMÓN', JESUS: 'JESÚS', RAUL: 'RAÚL',
  HECTOR: 'HÉCTOR', OSCAR: 'ÓSCAR', LUCIA: 'LUCÍA', BEATRIZ: 'BEATRÍZ', CONCEPCION: 'CONCEPCIÓN', RAFAEL: 'RAFAÉL', MATEO: 'MATÉO',
};

// ---------------------------------------------------------------------------------------------- places

interface City {
  city: string;
  state: string;
  zips: readonly string[];
  areas: readonly string[];
  weight: number;
}
const CITIES: readonly City[] = [
  { city: 'HOUSTON', state: 'TX', zips: ['77002', '77004', '77006', '77007', '77008', '77009', '77011', '77012', '77016', '77017', '77019', '77021', '77023', '77025', '77030', '77033', '77036', '77042', '77057', '77063', '77072', '77074', '77081', '77084', '77088', '77096'], areas: ['713', '832', '281', '346'], weight: 44 },
  { city: 'PASADENA', state: 'TX', zips: ['77502', '77503', '77504', '77505', '77506'], areas: ['713', '281', '832'], weight: 6 },
  { city: 'SUGAR LAND', state: 'TX', zips: ['77478', '77479', '77498'], areas: ['281', '832'], weight: 5 },
  { city: 'KATY', state: 'TX', zips: ['77449', '77450', '77493', '77494'], areas: ['281', '832', '346'], weight: 5 },
  { city: 'PEARLAND', state: 'TX', zips: ['77581', '77584'], areas: ['281', '832'], weight: 4 },
  { city: 'BAYTOWN', state: 'TX', zips: ['77520', '77521'], areas: ['281', '832'], weight: 3 },
  { city: 'CONROE', state: 'TX', zips: ['77301', '77302', '77304'], areas: ['936'], weight: 3 },
  { city: 'THE WOODLANDS', state: 'TX', zips: ['77380', '77381', '77382'], areas: ['281', '832'], weight: 3 },
  { city: 'LEAGUE CITY', state: 'TX', zips: ['77573'], areas: ['281', '409'], weight: 3 },
  { city: 'GALVESTON', state: 'TX', zips: ['77550', '77551', '77554'], areas: ['409'], weight: 3 },
  { city: 'MISSOURI CITY', state: 'TX', zips: ['77459', '77489'], areas: ['281', '832'], weight: 3 },
  { city: 'SPRING', state: 'TX', zips: ['77373', '77379', '77386', '77388'], areas: ['281', '832', '346'], weight: 4 },
  { city: 'HUMBLE', state: 'TX', zips: ['77338', '77346', '77396'], areas: ['281', '832'], weight: 3 },
  { city: 'TOMBALL', state: 'TX', zips: ['77375', '77377'], areas: ['281', '832'], weight: 2 },
  { city: 'ROSENBERG', state: 'TX', zips: ['77471'], areas: ['281', '832'], weight: 2 },
  { city: 'TEXAS CITY', state: 'TX', zips: ['77590', '77591'], areas: ['409'], weight: 2 },
  { city: 'BEAUMONT', state: 'TX', zips: ['77701', '77702', '77706', '77707'], areas: ['409'], weight: 2 },
  { city: 'LAKE CHARLES', state: 'LA', zips: ['70601', '70605', '70607'], areas: ['337'], weight: 1 },
];
const CITY_WEIGHTS = CITIES.map((c) => c.weight);

const STREET_NAMES = [
  'WESTHEIMER', 'BELLAIRE', 'BISSONNET', 'RICHMOND', 'KIRBY', 'SHEPHERD', 'MONTROSE', 'BRAESWOOD', 'FANNIN', 'ALMEDA',
  'HILLCROFT', 'GESSNER', 'FONDREN', 'BINGLE', 'TIDWELL', 'AIRLINE', 'ALDINE', 'LITTLE YORK', 'TELEPHONE', 'HARRISBURG',
  'NAVIGATION', 'LAWNDALE', 'BLUEBONNET', 'MAGNOLIA', 'PECAN', 'LIVE OAK', 'CYPRESS', 'MESQUITE', 'PRAIRIE', 'BAYOU',
  'BRAZOS', 'SAN JACINTO', 'SABINE', 'TRINITY', 'ALAMEDA', 'LAS PALMAS', 'SANTA FE', 'COTTONWOOD', 'WILLOWBEND', 'BRIARWOOD',
  'STONEBROOK', 'FAIRBANKS', 'SUNFLOWER', 'CHERRY HILL', 'OAK FOREST', 'WINDING CREEK', 'SPRING VALLEY', 'TANGLEWOOD', 'MEMORIAL', 'GREENBRIAR',
  'HOLCOMBE', 'OLD SPANISH', 'DOWLING', 'CULLEN', 'LOCKWOOD', 'BELLFORT', 'BEECHNUT', 'WILCREST', 'KUYKENDAHL', 'VETERANS MEMORIAL',
];
const STREET_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['STREET', 'ST'], ['AVENUE', 'AVE'], ['ROAD', 'RD'], ['DRIVE', 'DR'], ['LANE', 'LN'], ['BOULEVARD', 'BLVD'], ['COURT', 'CT'],
  ['CIRCLE', 'CIR'], ['PARKWAY', 'PKWY'], ['TRAIL', 'TRL'], ['PLACE', 'PL'], ['HIGHWAY', 'HWY'],
];
const STREET_TYPE_WEIGHTS = [10, 5, 6, 12, 8, 4, 5, 3, 2, 2, 2, 1];
const DIRECTIONS: ReadonlyArray<readonly [string, string]> = [['NORTH', 'N'], ['SOUTH', 'S'], ['EAST', 'E'], ['WEST', 'W']];
const UNIT_WORDS: Record<'APT' | 'UNIT' | 'STE' | 'LOT', string> = { APT: 'APARTMENT', UNIT: 'UNIT', STE: 'SUITE', LOT: 'LOT' };
/** Street-line extras with an HL7 delimiter in them. */
const DELIMITER_LINES = ['C/O H&R PROPERTIES', 'BLDG 4 & 5', 'APT A&B', 'LOT 7 & 8', 'C/O SMITH & SONS', 'REAR UNIT 2&3'];

// ---------------------------------------------------------------------------------------------- senders

const BASE_MODEL: ThirdErrorModel = {
  keyboard: 0.015, ocr: 0, phonetic: 0.008, nickname: 0.03, alias: 0.05, givenMiddleSwap: 0.005, nameSwap: 0.002,
  givenInitial: 0.003, staleMaiden: 0.02, middleFull: 0.6, middleInitial: 0.25, suffix: 0.5,
  compoundFirst: 0.2, compoundHyphen: 0.15, barrelLast: 0.15, barrelSpace: 0.1, givenSplit: 0.2, givenFirstOnly: 0.1,
  lettersOnly: 0, accents: 0, lowerCase: 0, whitespace: 0.005,
  dobSwap: 0.005, dobDigit: 0.008, dobYear: 0.003, dobJan1: 0, dobOcr: false,
  missingSsn: 0.2, ssnPlaceholder: 0, ssnDigit: 0.008, ssnTranspose: 0.005, ssnGuarantor: 0.01,
  missingPhone: 0.05, phoneDigit: 0.008, mobile: 'second', missingAddress: 0.02, streetTypo: 0.015, unitDropped: 0.08,
  streetStyle: 'usps', unitStyle: 'other', zip4: 0,
  duplicate: 0.025, duplicateNoise: 2.5, a40: 0.5, updates: 1, learnsMove: 0.75, learnsNameChange: 0.75, fixOnUpdate: 0.2,
};

function summaryProfile(m: ThirdErrorModel, kind: 'hospital' | 'lab' | 'clinic', noSsn: boolean): SenderErrorProfile {
  const lab = kind === 'lab';
  return {
    typo: m.keyboard + m.ocr + m.phonetic,
    nickname: m.nickname,
    dobSwap: m.dobSwap,
    dobDigit: m.dobDigit + m.dobYear + m.dobJan1,
    missingSsn: noSsn ? 1 : m.missingSsn,
    missingPhone: lab ? 1 : m.missingPhone,
    missingAddress: lab ? 1 : m.missingAddress,
    middle: m.middleFull + m.middleInitial,
    suffix: m.suffix,
    duplicate: m.duplicate,
    a40: m.a40,
    updates: m.updates,
    learnsNameChange: m.learnsNameChange,
  };
}

function sender(s: Omit<ThirdSender, 'errors'>): ThirdSender {
  return { ...s, errors: summaryProfile(s.model, s.kind, s.flavour.ssn === 'none') };
}

/**
 * The six senders of this feed:
 *  - BAYOU (Bayou City Medical Center, academic): `NS&OID&ISO`, SSN in PID-19 with dashes, account number in
 *    PID-3 (CX.5 = AN), maiden name as a second PID-5 repetition, ZIP+4, careful registration, merges most of
 *    its duplicates;
 *  - GULFCOAST (Gulf Coast Regional Hospital, busy ED): `NS&OID&ISO`, SSN in PID-19 without dashes, formatted
 *    phones, UTF-8 with accented Hispanic names, enhanced acknowledgment, spelled-out street types;
 *  - PINNACLE (reference lab): `&OID&ISO`, names, DOB and sex only, requisitions read by OCR, a legacy LIS that
 *    keeps letters only and cuts family names at 15 and given names at 10 characters, never merges;
 *  - BRAZOS (FQHC family clinic): namespace-only CX.4, mixed case, A28/A31, phone registration (phonetic
 *    errors, nicknames, adopted names), day/month swaps, many unknown SSNs;
 *  - QUICKCARE (urgent care): empty CX.4 (the sender's default authority), SSN as a PID-3 repetition (CX.5 = SS)
 *    and 999-99-9999 when unknown, mobile first, the most typos, initials, lower case, DOB defaulted to
 *    January 1, children under a parent's SSN;
 *  - COASTAL (imaging center, referral faxes): `NS&OID&ISO`, SSN in PID-19 without dashes, OCR'd referrals,
 *    given/middle and first/last swaps.
 */
export function thirdPopulationSenders(): ThirdSender[] {
  const root = POPULATION_OID_ROOT;
  return [
    sender({
      name: 'BAYOU', kind: 'hospital', description: 'Bayou City Medical Center', application: 'ORCA_ADT', facility: 'BCMC',
      namespace: 'BCMC', oid: `${root}.301`, controlIdPrefix: 'BCMC', mrn: { prefix: '', digits: 8 }, coverage: 0.42, trustRank: 30,
      flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid19-dashed', phone: 'components', nameCase: 'upper', registration: ['A04', 'A04', 'A01'], update: 'A08', maidenRepetition: true, accountInPid3: true, enhancedAck: false },
      model: { ...BASE_MODEL, keyboard: 0.01, phonetic: 0.005, nickname: 0.02, alias: 0.04, givenMiddleSwap: 0.003, nameSwap: 0.001, givenInitial: 0.002, staleMaiden: 0.015, middleFull: 0.8, middleInitial: 0.15, suffix: 0.75, compoundFirst: 0.12, compoundHyphen: 0.1, barrelLast: 0.1, barrelSpace: 0.05, givenSplit: 0.1, givenFirstOnly: 0.05, dobSwap: 0.003, dobDigit: 0.005, dobYear: 0.002, missingSsn: 0.12, ssnDigit: 0.005, ssnTranspose: 0.003, ssnGuarantor: 0.008, missingPhone: 0.03, phoneDigit: 0.005, mobile: 'second', missingAddress: 0.01, streetTypo: 0.01, unitDropped: 0.04, streetStyle: 'usps', unitStyle: 'other', zip4: 0.6, duplicate: 0.02, duplicateNoise: 2, a40: 0.75, updates: 1.3, learnsMove: 0.85, learnsNameChange: 0.85, fixOnUpdate: 0.3 },
      hours: [0, 23], affinity: { child: 0.7, adult: 1, senior: 1.4 }, patientClass: 'O', nameType: true, accountInPid18: false,
    }),
    sender({
      name: 'GULFCOAST', kind: 'hospital', description: 'Gulf Coast Regional Hospital', application: 'MEDICS', facility: 'GCRH',
      namespace: 'GCRH', oid: `${root}.302`, controlIdPrefix: 'GCRH', mrn: { prefix: '', digits: 9 }, coverage: 0.35, trustRank: 25,
      flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid19', phone: 'formatted', nameCase: 'upper', registration: ['A01', 'A04', 'A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: true, charset: 'UNICODE UTF-8' },
      model: { ...BASE_MODEL, keyboard: 0.022, phonetic: 0.012, nickname: 0.04, alias: 0.08, givenMiddleSwap: 0.007, nameSwap: 0.003, givenInitial: 0.004, staleMaiden: 0.03, middleFull: 0.5, middleInitial: 0.3, suffix: 0.5, compoundFirst: 0.3, compoundHyphen: 0.25, barrelLast: 0.2, barrelSpace: 0.15, givenSplit: 0.3, givenFirstOnly: 0.1, accents: 0.5, whitespace: 0.01, dobSwap: 0.006, dobDigit: 0.01, dobYear: 0.004, missingSsn: 0.22, ssnDigit: 0.01, ssnTranspose: 0.006, ssnGuarantor: 0.015, missingPhone: 0.08, phoneDigit: 0.01, mobile: 'second', missingAddress: 0.03, streetTypo: 0.02, unitDropped: 0.1, streetStyle: 'full', unitStyle: 'inline', duplicate: 0.035, duplicateNoise: 2.5, a40: 0.5, updates: 1, learnsMove: 0.7, learnsNameChange: 0.7, fixOnUpdate: 0.2 },
      hours: [0, 23], affinity: { child: 0.9, adult: 1, senior: 1.2, ethnic: { hispanic: 1.2 } }, patientClass: 'E', nameType: true, accountInPid18: true,
    }),
    sender({
      name: 'PINNACLE', kind: 'lab', description: 'Pinnacle Diagnostic Laboratories', application: 'PDL_LIS', facility: 'PDL_HOUSTON',
      namespace: 'PDL', oid: `${root}.303`, controlIdPrefix: 'PDL', mrn: { prefix: 'PD', digits: 10 }, coverage: 0.45, trustRank: 5,
      flavour: { cx4: 'oid', mrnType: 'PI', ssn: 'none', phone: 'none', nameCase: 'upper', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      model: { ...BASE_MODEL, keyboard: 0.015, ocr: 0.03, phonetic: 0.008, nickname: 0.05, alias: 0.1, givenMiddleSwap: 0.008, nameSwap: 0.004, givenInitial: 0.006, staleMaiden: 0.04, middleFull: 0.1, middleInitial: 0.3, suffix: 0.15, compoundFirst: 0.4, compoundHyphen: 0, barrelLast: 0.25, barrelSpace: 0, givenSplit: 0.4, givenFirstOnly: 0.2, lettersOnly: 0.85, maxFamily: 15, maxGiven: 10, dobSwap: 0.012, dobDigit: 0.02, dobYear: 0.004, dobOcr: true, missingSsn: 1, ssnDigit: 0, ssnTranspose: 0, ssnGuarantor: 0, missingPhone: 1, phoneDigit: 0, mobile: 'never', missingAddress: 1, streetTypo: 0, duplicate: 0.05, duplicateNoise: 2, a40: 0, updates: 0.25, learnsMove: 0, learnsNameChange: 0.3, fixOnUpdate: 0.05 },
      hours: [6, 20], affinity: { child: 0.5, adult: 1, senior: 1.3 }, patientClass: 'O', nameType: false, accountInPid18: false,
    }),
    sender({
      name: 'BRAZOS', kind: 'clinic', description: 'Brazos Family Health Center (FQHC)', application: 'CLINIQ', facility: 'BRAZOS_FHC',
      namespace: 'BRAZOSFHC', oid: `${root}.304`, controlIdPrefix: 'BFHC', mrn: { prefix: '', digits: 6 }, coverage: 0.25, trustRank: 10,
      flavour: { cx4: 'namespace', mrnType: 'MR', ssn: 'pid19-dashed', phone: 'components', nameCase: 'mixed', registration: ['A28'], update: 'A31', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      model: { ...BASE_MODEL, keyboard: 0.025, phonetic: 0.03, nickname: 0.1, alias: 0.2, givenMiddleSwap: 0.01, nameSwap: 0.004, givenInitial: 0.003, staleMaiden: 0.03, middleFull: 0.35, middleInitial: 0.25, suffix: 0.3, compoundFirst: 0.2, compoundHyphen: 0.2, barrelLast: 0.2, barrelSpace: 0.1, givenSplit: 0.3, givenFirstOnly: 0.15, whitespace: 0.02, dobSwap: 0.02, dobDigit: 0.012, dobYear: 0.005, missingSsn: 0.5, ssnDigit: 0.015, ssnTranspose: 0.01, ssnGuarantor: 0.01, missingPhone: 0.06, phoneDigit: 0.015, mobile: 'first', missingAddress: 0.04, streetTypo: 0.03, unitDropped: 0.1, streetStyle: 'mixed', unitStyle: 'hash', duplicate: 0.03, duplicateNoise: 2.5, a40: 0.35, updates: 1.5, learnsMove: 0.8, learnsNameChange: 0.6, fixOnUpdate: 0.25 },
      hours: [8, 17], affinity: { child: 1.3, adult: 0.9, senior: 0.8, ethnic: { hispanic: 1.7, vietnamese: 1.5, nigerian: 1.3, arab: 1.2, general: 0.7 } }, patientClass: 'O', nameType: false, accountInPid18: false,
    }),
    sender({
      name: 'QUICKCARE', kind: 'clinic', description: 'QuickCare Urgent Care', application: 'QUIKREG', facility: 'QUICKCARE_TX',
      namespace: 'QUICKCARE', oid: `${root}.305`, controlIdPrefix: 'QC', mrn: { prefix: 'QC', digits: 7 }, coverage: 0.28, trustRank: 8,
      flavour: { cx4: 'empty', mrnType: 'PI', ssn: 'pid3', phone: 'components', nameCase: 'mixed', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      model: { ...BASE_MODEL, keyboard: 0.04, phonetic: 0.02, nickname: 0.08, alias: 0.15, givenMiddleSwap: 0.006, nameSwap: 0.006, givenInitial: 0.012, staleMaiden: 0.03, middleFull: 0.2, middleInitial: 0.2, suffix: 0.2, compoundFirst: 0.45, compoundHyphen: 0.1, barrelLast: 0.3, barrelSpace: 0.1, givenSplit: 0.3, givenFirstOnly: 0.3, lowerCase: 0.15, whitespace: 0.04, dobSwap: 0.01, dobDigit: 0.015, dobYear: 0.01, dobJan1: 0.012, missingSsn: 0.45, ssnPlaceholder: 0.3, ssnDigit: 0.02, ssnTranspose: 0.015, ssnGuarantor: 0.03, missingPhone: 0.03, phoneDigit: 0.02, mobile: 'first', missingAddress: 0.06, streetTypo: 0.04, unitDropped: 0.2, streetStyle: 'mixed', unitStyle: 'inline', duplicate: 0.04, duplicateNoise: 2.5, a40: 0.3, updates: 0.5, learnsMove: 0.5, learnsNameChange: 0.5, fixOnUpdate: 0.1 },
      hours: [8, 21], affinity: { child: 1.2, adult: 1.2, senior: 0.6 }, patientClass: 'E', nameType: false, accountInPid18: false,
    }),
    sender({
      name: 'COASTAL', kind: 'clinic', description: 'Coastal Imaging Associates', application: 'RISPACS', facility: 'COASTAL_IMG',
      namespace: 'COASTALIMG', oid: `${root}.306`, controlIdPrefix: 'CIA', mrn: { prefix: 'CI', digits: 8 }, coverage: 0.18, trustRank: 12,
      flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid19', phone: 'formatted', nameCase: 'upper', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      model: { ...BASE_MODEL, keyboard: 0.02, ocr: 0.01, phonetic: 0.01, nickname: 0.03, alias: 0.05, givenMiddleSwap: 0.02, nameSwap: 0.01, givenInitial: 0.006, staleMaiden: 0.02, middleFull: 0.4, middleInitial: 0.4, suffix: 0.4, compoundFirst: 0.3, compoundHyphen: 0.1, barrelLast: 0.15, barrelSpace: 0.1, givenSplit: 0.2, givenFirstOnly: 0.2, lettersOnly: 0.3, dobSwap: 0.01, dobDigit: 0.01, dobYear: 0.003, missingSsn: 0.6, ssnDigit: 0.01, ssnTranspose: 0.01, ssnGuarantor: 0.005, missingPhone: 0.05, phoneDigit: 0.01, mobile: 'never', missingAddress: 0.05, streetTypo: 0.02, unitDropped: 0.15, streetStyle: 'usps', unitStyle: 'other', duplicate: 0.02, duplicateNoise: 2, a40: 0.5, updates: 0.4, learnsMove: 0.6, learnsNameChange: 0.6, fixOnUpdate: 0.15 },
      hours: [7, 19], affinity: { child: 0.3, adult: 1, senior: 1.5 }, patientClass: 'O', nameType: true, accountInPid18: false,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------- corruptors

const KEY_ROWS: ReadonlyArray<readonly [string, number]> = [['QWERTYUIOP', 0], ['ASDFGHJKL', 0.25], ['ZXCVBNM', 0.75]];
/** Letter keys within reach of each letter key on a QWERTY keyboard. */
const KEY_NEAR: ReadonlyMap<string, string> = (() => {
  const pos: Array<[string, number, number]> = [];
  KEY_ROWS.forEach(([row, off], y) => [...row].forEach((c, x) => pos.push([c, x + off, y])));
  const near = new Map<string, string>();
  for (const [c, x, y] of pos) {
    near.set(c, pos.filter(([o, ox, oy]) => o !== c && Math.hypot(ox - x, oy - y) < 1.3).map(([o]) => o).join(''));
  }
  return near;
})();
/** Numeric keypad neighbours (DOB and phone digits typed on a keypad). */
const KEYPAD_NEAR: Record<string, string> = {
  '7': '841', '8': '7952', '9': '863', '4': '7518', '5': '84626', '6': '953', '1': '4720', '2': '15830', '3': '2690', '0': '123',
};
/** What an OCR engine misreads (in upper case). */
const OCR_RULES: ReadonlyArray<readonly [string, string]> = [
  ['RN', 'M'], ['M', 'RN'], ['CL', 'D'], ['D', 'CL'], ['O', '0'], ['I', '1'], ['L', '1'], ['I', 'L'], ['L', 'I'], ['S', '5'],
  ['B', '8'], ['G', '6'], ['Z', '2'], ['U', 'V'], ['V', 'U'], ['E', 'F'], ['VV', 'W'], ['W', 'VV'], ['Q', 'O'], ['H', 'N'], ['LI', 'U'],
];
const OCR_DIGITS: Record<string, string> = { '0': '86', '1': '7', '3': '8', '5': '6', '6': '58', '7': '1', '8': '30', '9': '4' };
/** Phonetic misspellings: [pattern, replacement] (lookarounds are context, `$1` the first group). */
const PHONETIC_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/SON$/, 'SEN'], [/SEN$/, 'SON'], [/PH/, 'F'], [/(?<=[AEIOU])F(?=[AEIOU])/, 'PH'], [/CK/, 'K'], [/C(?=[AOU])/, 'K'], [/K(?=[AOU])/, 'C'],
  [/(?<=[^AEIOU])Y(?=[^AEIOU])/, 'I'], [/(?<=[^AEIOU ])I(?=[^AEIOU ])/, 'Y'], [/IE$/, 'Y'], [/(?<=[^AEIOU])Y$/, 'IE'], [/EY$/, 'Y'],
  [/EE/, 'EA'], [/EA/, 'EE'], [/EI/, 'IE'], [/IE(?=.)/, 'EI'], [/([BDFGLMNPRST])\1/, '$1'], [/(?<=[AEIOU])([BDGLMNPRT])(?=[AEIOU])/, '$1$1'],
  [/Z/, 'S'], [/(?<=[AEIOU])S(?=[AEIOU])/, 'Z'], [/EZ$/, 'ES'], [/ES$/, 'EZ'], [/TH/, 'T'], [/^MAC/, 'MC'], [/^MC/, 'MAC'],
  [/(?<=[^AEIOU])E$/, ''], [/V/, 'B'], [/B(?=[AEIOU])/, 'V'], [/^H(?=[AEIOU])/, ''], [/LL(?=[AEIOU])/, 'Y'], [/QU(?=[EI])/, 'K'],
  [/X/, 'KS'], [/AI/, 'AY'], [/AY/, 'AI'], [/OU/, 'U'], [/UY/, 'UI'], [/GH/, 'G'], [/W/, 'V'], [/J(?=[AOU])/, 'H'],
];

const isLetter = (c: string | undefined) => c !== undefined && c >= 'A' && c <= 'Z';

/** One GeCo-style keyboard error: neighbour substitution, insertion, deletion or transposition. */
function keyboardError(s: string, d: Dice): string {
  const idx = [...s].map((c, i) => (isLetter(c) ? i : -1)).filter((i) => i >= 0);
  if (idx.length < 3) return s;
  // Slips on the first letter are rarer (people look at the start of a name).
  const i = d.chance(0.8) ? d.pick(idx.slice(1)) : idx[0]!;
  const c = s[i]!;
  const op = d.weighted([0.42, 0.15, 0.23, 0.2]);
  if (op === 0) return s.slice(0, i) + d.pick([...(KEY_NEAR.get(c) ?? c)]) + s.slice(i + 1);
  if (op === 1) return s.slice(0, i + 1) + (d.chance(0.5) ? c : d.pick([...(KEY_NEAR.get(c) ?? c)])) + s.slice(i + 1);
  if (op === 2) return s.slice(0, i) + s.slice(i + 1);
  const j = isLetter(s[i + 1]) ? i + 1 : isLetter(s[i - 1]) ? i - 1 : -1;
  if (j < 0 || s[j] === c) return s.slice(0, i) + s.slice(i + 1);
  const [a, b] = j > i ? [i, j] : [j, i];
  return s.slice(0, a) + s[b] + s[a] + s.slice(b + 1);
}

function ocrError(s: string, d: Dice): string {
  const hits: Array<[number, string, string]> = [];
  for (const [from, to] of OCR_RULES) for (let i = s.indexOf(from); i >= 0; i = s.indexOf(from, i + 1)) hits.push([i, from, to]);
  if (!hits.length) return s;
  const [i, from, to] = d.pick(hits);
  return s.slice(0, i) + to + s.slice(i + from.length);
}

function phoneticError(s: string, d: Dice): string {
  const hits: Array<[number, number, string]> = [];
  for (const [re, rep] of PHONETIC_RULES) {
    const g = new RegExp(re.source, 'g');
    for (let m = g.exec(s); m; m = g.exec(s)) {
      if (m[0].length === 0) {
        g.lastIndex++;
        continue;
      }
      hits.push([m.index, m[0].length, rep.replace('$1', m[1] ?? '')]);
    }
  }
  const ok = hits.filter(([i, n, r]) => s.length - n + r.length >= 2 && s.slice(i, i + n) !== r);
  if (!ok.length) return s;
  const [i, n, r] = d.pick(ok);
  return s.slice(0, i) + r + s.slice(i + n);
}

function nameError(s: string, kind: 'keyboard' | 'ocr' | 'phonetic', seed: number): string {
  const d = new Dice(seed);
  return kind === 'keyboard' ? keyboardError(s, d) : kind === 'ocr' ? ocrError(s, d) : phoneticError(s, d);
}

const MIXED = new Map<string, string>();
/** Mixed case as a clinic's screen stores names and streets: Garcia Lopez, O'Neil, McDonald, Ji-Hoon. */
function mixedCase(s: string): string {
  let out = MIXED.get(s);
  if (out === undefined) {
    out = mixedCaseOf(s);
    if (MIXED.size < 50_000) MIXED.set(s, out);
  }
  return out;
}

function mixedCaseOf(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[\s'\-/&#])([a-zà-ÿ])/g, (_m, p: string, c: string) => p + c.toUpperCase())
    .replace(/\bMc([a-z])/g, (_m, c: string) => `Mc${c.toUpperCase()}`);
}

// ---------------------------------------------------------------------------------------------- dates and numbers

const DAY = 86_400_000;
/** `at` = 0: 2023-09-01T00:00 local time of the senders. */
const FEED_START = Date.UTC(2023, 8, 1);
const FEED_DAYS = 480;
const FEED_END = FEED_DAYS * DAY;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const validYmd = (y: number, m: number, d: number) => y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
const LATEST_DOB = new Date(FEED_START - DAY).toISOString().slice(0, 10).replace(/-/g, '');

function hl7Time(at: number): string {
  const t = new Date(FEED_START + at);
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
}

/** A birth date for someone `age` years old at the start of the feed. */
function birthDate(d: Dice, age: number): string {
  const t = FEED_START - age * 365.25 * DAY - d.int(1, 364) * DAY;
  return new Date(t).toISOString().slice(0, 10);
}

function ageAt(dob: string, at = 0): number {
  return (FEED_START + at - Date.parse(dob)) / (365.25 * DAY);
}

function newSsn(d: Dice): string {
  let area = d.int(1, 899);
  if (area === 666) area = 665;
  return `${pad(area, 3)}${pad(d.int(1, 99))}${pad(d.int(1, 9999), 4)}`;
}

function newPhone(d: Dice, city: City): string {
  return `${d.pick(city.areas)}${d.int(2, 9)}${d.digits(2).replace(/^11$/, '12')}${d.digits(4)}`;
}

/** Luhn check digit (BAYOU's MRNs carry one). */
function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return String((10 - (sum % 10)) % 10);
}

// ---------------------------------------------------------------------------------------------- population

interface Household {
  id: number;
  ethnicity: Ethnicity;
  city: City;
  members: ThirdPerson[];
  addresses: ThirdAddress[];
}

type SpecialKind = 'twins' | 'jrsr' | 'namesake';
type GeneralKind = 'single' | 'couple' | 'family' | 'single-parent' | 'multigen' | 'roommates';
const GENERAL_KINDS: readonly GeneralKind[] = ['single', 'couple', 'family', 'single-parent', 'multigen', 'roommates'];
const GENERAL_WEIGHTS = [27, 19, 29, 11, 7, 7];
/** Mean household size, to spread the special households over the population. */
const MEAN_HOUSEHOLD = 2.5;

const ETHNICITIES: readonly Ethnicity[] = ['general', 'hispanic', 'vietnamese', 'korean', 'indian', 'nigerian', 'arab'];
const ETHNIC_WEIGHTS = [46, 34, 6, 2, 5, 4, 3];

/**
 * Zipf offsets: the long lists get a head of a few very common names (SMITH about 4 % of the general list,
 * GARCIA about 6 % of the Hispanic one); NGUYEN, KIM and LEE are as dominant as they really are.
 */
const FAMILY_K: Record<Ethnicity, number> = { general: 8, hispanic: 8, vietnamese: 1.2, korean: 1.5, indian: 3, nigerian: 4, arab: 4 };
const FAMILY_Z = Object.fromEntries(ETHNICITIES.map((e) => [e, new Zipf(FAMILY[e], FAMILY_K[e], 1)])) as Record<Ethnicity, Zipf>;
const GIVEN_Z = Object.fromEntries(
  [...ETHNICITIES, 'modern'].map((e) => {
    const k = e === 'general' || e === 'hispanic' || e === 'modern' ? 8 : 4;
    return [e, { M: new Zipf(GIVEN[e as Ethnicity].M, k, 1), F: new Zipf(GIVEN[e as Ethnicity].F, k, 1) }];
  }),
) as Record<Ethnicity | 'modern', Record<Sex, Zipf>>;

/** Adult ages at the start of the feed: [from, to, weight]. */
const ADULT_AGES: ReadonlyArray<readonly [number, number, number]> = [[18, 29, 18], [30, 44, 24], [45, 64, 32], [65, 79, 19], [80, 96, 7]];

class PopulationBuilder {
  readonly persons: ThirdPerson[] = [];
  readonly households: Household[] = [];
  readonly twinPairs: Array<[number, number]> = [];
  readonly tripletSets: Array<[number, number, number]> = [];
  readonly juniorSeniorPairs: Array<[number, number]> = [];
  readonly siblingPairs: Array<[number, number]> = [];
  readonly spousePairs: Array<[number, number]> = [];
  readonly namesakePairs: Array<[number, number]> = [];

  constructor(
    private readonly d: Dice,
    private readonly n: number,
    private readonly rates: HardCaseRates,
  ) {}

  build() {
    const d = this.d;
    const specials: SpecialKind[] = [
      ...Array<SpecialKind>(Math.round(this.n * this.rates.twins)).fill('twins'),
      ...Array<SpecialKind>(Math.round(this.n * this.rates.juniorSenior)).fill('jrsr'),
      ...Array<SpecialKind>(Math.round(this.n * NAMESAKE_RATE)).fill('namesake'),
    ];
    for (let i = specials.length - 1; i > 0; i--) {
      const j = d.int(0, i);
      [specials[i], specials[j]] = [specials[j]!, specials[i]!];
    }
    while (this.persons.length < this.n) {
      const left = this.n - this.persons.length;
      const householdsLeft = Math.max(1, left / MEAN_HOUSEHOLD);
      // Namesakes copy an earlier person: not before a few hundred exist.
      const ready = specials.length && (specials[specials.length - 1] !== 'namesake' || this.persons.length > Math.min(200, this.n / 4));
      if (ready && d.chance(Math.min(1, specials.length / householdsLeft))) {
        const kind = specials.pop()!;
        if (this.special(kind, left)) continue;
      }
      this.general(GENERAL_KINDS[d.weighted(GENERAL_WEIGHTS)]!, left);
    }
  }

  // -------------------------------------------------------------------- households

  private household(ethnicity: Ethnicity, city = CITIES[this.d.weighted(CITY_WEIGHTS)]!): Household {
    const h: Household = { id: this.households.length, ethnicity, city, members: [], addresses: [] };
    this.households.push(h);
    return h;
  }

  /** Address history (and home phone: a landline, or the head's mobile) once the members are known. */
  private settle(h: Household, roommates = false) {
    const d = this.d;
    const head = h.members[0]!;
    const landline = d.chance(head.birthDate < '1970' ? 0.7 : 0.3) ? newPhone(d, h.city) : undefined;
    const first = this.address(h.city, landline ?? head.mobile ?? newPhone(d, h.city), 0, d.chance(this.rates.delimiter));
    h.addresses.push(first);
    let moved = false;
    if (d.chance(this.rates.move)) {
      const city = d.chance(0.6) ? h.city : CITIES[d.weighted(CITY_WEIGHTS)]!;
      const from = d.int(20, FEED_DAYS - 40) * DAY;
      h.addresses.push(this.address(city, landline ? newPhone(d, city) : first.phone, from, false));
      moved = true;
    }
    for (const p of h.members) {
      // Roommates share the street, not the phone.
      p.addresses = roommates && p !== head ? h.addresses.map((a) => ({ ...a, phone: p.mobile ?? a.phone })) : h.addresses;
      if (moved) p.tags.push('moved');
      if (h.addresses.some((a) => a.parts.delimiterLine)) p.tags.push('delimiter');
    }
  }

  private address(city: City, phone: string, from: number, delimiter: boolean): ThirdAddress {
    const d = this.d;
    const parts: ThirdAddressParts = {
      number: String(d.chance(0.3) ? d.int(100, 999) : d.int(1000, 19999)),
      name: d.pick(STREET_NAMES),
      type: d.weighted(STREET_TYPE_WEIGHTS),
    };
    if (d.chance(0.18)) parts.direction = d.int(0, 3);
    if (delimiter) parts.delimiterLine = d.pick(DELIMITER_LINES);
    else if (d.chance(0.32)) {
      const kind = d.pick(['APT', 'APT', 'APT', 'UNIT', 'STE', 'LOT'] as const);
      parts.unit = { kind, id: d.chance(0.7) ? String(d.int(1, 40) * (d.chance(0.5) ? 100 : 1) + d.int(0, 20)) : `${d.int(1, 30)}${d.pick(['A', 'B', 'C', 'D'])}` };
    }
    const dir = parts.direction === undefined ? '' : `${DIRECTIONS[parts.direction]![1]} `;
    const a: ThirdAddress = {
      from,
      street: `${parts.number} ${dir}${parts.name} ${STREET_TYPES[parts.type]![1]}`,
      city: city.city,
      state: city.state,
      zip: d.pick(city.zips),
      phone,
      parts,
    };
    const other = parts.delimiterLine ?? (parts.unit ? `${parts.unit.kind} ${parts.unit.id}` : undefined);
    if (other) a.other = other;
    return a;
  }

  // -------------------------------------------------------------------- persons

  private person(h: Household, sex: Sex, dob: string, given: string, family: string, ethnicity = h.ethnicity): ThirdPerson {
    const d = this.d;
    const p: ThirdPerson = {
      id: this.persons.length,
      household: h.id,
      family,
      given,
      sex,
      birthDate: dob,
      addresses: [],
      tags: [],
      ethnicity,
      traits: [],
    };
    const middle = this.middleFor(ethnicity, sex, dob, given);
    if (middle) p.middle = middle;
    const age = ageAt(dob);
    const immigrant = ethnicity !== 'general' && age >= 18;
    if (d.chance(immigrant ? (ethnicity === 'hispanic' ? 0.78 : 0.86) : age < 1 ? 0.85 : 0.97)) p.ssn = newSsn(d);
    else p.traits.push('no-ssn');
    if (age >= 18 ? d.chance(0.9) : age >= 13 && d.chance(0.55)) p.mobile = newPhone(d, h.city);
    if (age >= 20 && (ethnicity === 'korean' || ethnicity === 'vietnamese' ? d.chance(0.3) : ethnicity === 'nigerian' && d.chance(0.08))) {
      p.alias = this.d.pick(ALIASES[sex]);
      p.traits.push('alias');
    }
    this.persons.push(p);
    h.members.push(p);
    return p;
  }

  private middleFor(e: Ethnicity, sex: Sex, dob: string, given: string): string | undefined {
    const d = this.d;
    if (given.includes(' ')) return undefined;
    const kid = dob >= '2005';
    switch (e) {
      case 'general':
        return d.chance(0.72) ? this.givenFor(kid && d.chance(0.6) ? 'modern' : 'general', sex, given) : undefined;
      case 'hispanic':
        return d.chance(0.35) ? this.givenFor('hispanic', sex, given) : undefined;
      case 'vietnamese':
        // The traditional VAN / THI middle names, rarer among the young.
        return d.chance(dob < '1990' ? 0.75 : 0.35) ? (d.chance(0.7) ? (sex === 'M' ? 'VAN' : 'THI') : this.givenFor('vietnamese', sex, given)) : undefined;
      case 'korean':
        return undefined;
      case 'indian':
        return d.chance(0.3) ? this.givenFor('indian', 'M', given) : undefined;
      case 'nigerian':
        return d.chance(0.6) ? this.givenFor('nigerian', sex, given) : undefined;
      case 'arab':
        return d.chance(0.45) ? this.givenFor('arab', 'M', given) : undefined;
    }
  }

  private givenFor(list: Ethnicity | 'modern', sex: Sex, not?: string): string {
    for (let i = 0; i < 8; i++) {
      const g = GIVEN_Z[list][sex].draw(this.d);
      if (g !== not && !(not && g.startsWith(`${not} `))) return g;
    }
    return GIVEN[list][sex][0] === not ? GIVEN[list][sex][1]! : GIVEN[list][sex][0]!;
  }

  /** A child's given name: modern American names are common among children of every origin. */
  private childGiven(e: Ethnicity, sex: Sex, dob: string): string {
    const modern = dob >= '2003' ? (e === 'general' ? 0.85 : 0.45) : e === 'general' ? 0.2 : 0.1;
    return this.givenFor(this.d.chance(modern) ? 'modern' : e, sex);
  }

  private surname(e: Ethnicity): string {
    return FAMILY_Z[e].draw(this.d);
  }

  /** A Hispanic adult's surname: often two (paternal and maternal), with a space or a hyphen. */
  private hispanicSurname(): string {
    const first = this.surname('hispanic');
    if (!this.d.chance(0.3) || isParticleName(first)) return first;
    let second = this.surname('hispanic');
    for (let i = 0; i < 5 && (second === first || isParticleName(second)); i++) second = this.surname('hispanic');
    if (second === first || isParticleName(second)) return first;
    return `${first}${this.d.chance(0.65) ? ' ' : '-'}${second}`;
  }

  private adultAge(min = 18, max = 96): number {
    const d = this.d;
    for (let i = 0; i < 10; i++) {
      const [lo, hi] = ADULT_AGES[d.weighted(ADULT_AGES.map((a) => a[2]))]!;
      const a = d.int(lo, hi);
      if (a >= min && a <= max) return a;
    }
    return d.int(min, max);
  }

  private ethnicity(): Ethnicity {
    return ETHNICITIES[this.d.weighted(ETHNIC_WEIGHTS)]!;
  }

  /** A household head: sometimes one of the very common names, a few of them born in the same years. */
  private head(h: Household, sex: Sex, age: number): ThirdPerson {
    const d = this.d;
    if (d.chance(this.rates.commonName)) {
      const options = COMMON_NAMES.filter((c) => c[2] === sex);
      const [given, family, , e] = d.pick(options);
      h.ethnicity = e;
      let dob = birthDate(d, age);
      if (d.chance(0.35)) {
        const y = d.pick(CLUSTER_YEARS);
        const m = d.int(1, 12);
        dob = `${y}-${pad(m)}-${pad(d.int(1, daysIn(y, m)))}`;
      }
      const p = this.person(h, sex, dob, given, family);
      delete p.middle;
      if (d.chance(0.5)) {
        const mid = this.middleFor(e, sex, dob, given);
        if (mid) p.middle = mid;
      }
      return p;
    }
    const family = h.ethnicity === 'hispanic' ? this.hispanicSurname() : this.surname(h.ethnicity);
    return this.person(h, sex, birthDate(d, age), this.givenFor(h.ethnicity, sex), family);
  }

  /** The wife of `husband`: her own or her husband's name, maybe a marriage (name change) during the feed. */
  private wife(h: Household, husband: ThirdPerson): ThirdPerson {
    const d = this.d;
    const e = d.chance(0.85) ? h.ethnicity : this.ethnicity();
    const age = Math.max(18, Math.round(ageAt(husband.birthDate)) + d.int(-7, 3));
    const maiden = e === 'hispanic' ? this.hispanicSurname() : this.surname(e);
    const w = this.person(h, 'F', birthDate(d, age), this.givenFor(e, 'F'), maiden, e);
    const takes = { general: 0.8, hispanic: 0.35, vietnamese: 0.15, korean: 0.05, indian: 0.7, nigerian: 0.8, arab: 0.2 }[e];
    const husbandName = husband.family;
    if (age <= 55 && maiden !== husbandName && d.chance(this.rates.marriedNameChange)) {
      // They marry during the feed: the maiden name before, the new one after.
      w.maidenFamily = maiden;
      w.nameChangeAt = d.int(15, FEED_DAYS - 60) * DAY;
      w.family = d.chance(0.25) ? `${firstSurname(maiden)}-${firstSurname(husbandName)}` : husbandName;
      w.tags.push('name-change');
      if (w.family.includes('-')) w.traits.push('double-barrel');
    } else if (maiden !== husbandName && d.chance(takes)) {
      w.birthFamily = maiden;
      w.traits.push('married-before-feed');
      if (d.chance(0.12)) {
        w.family = `${firstSurname(maiden)}-${firstSurname(husbandName)}`;
        w.traits.push('double-barrel');
      } else w.family = husbandName;
    }
    w.spouseOf = husband.id;
    husband.spouseOf = w.id;
    w.traits.push('spouse');
    husband.traits.push('spouse');
    this.spousePairs.push([husband.id, w.id]);
    return w;
  }

  /** Children's family name: the father's, or for Hispanic families sometimes both parents' surnames. */
  private childFamily(h: Household, father: ThirdPerson | undefined, mother: ThirdPerson | undefined): string {
    const d = this.d;
    const paternal = father ? firstSurname(father.family) : undefined;
    const maternal = mother ? firstSurname(mother.maidenFamily ?? mother.birthFamily ?? mother.family) : undefined;
    if (h.ethnicity === 'hispanic' && paternal && maternal && paternal !== maternal && !isParticleName(paternal) && !isParticleName(maternal) && d.chance(0.25)) {
      return `${paternal}${d.chance(0.5) ? ' ' : '-'}${maternal}`;
    }
    return paternal ?? (mother ? firstSurname(mother.family) : this.surname(h.ethnicity));
  }

  private children(h: Household, family: string, motherAge: number, count: number, e = h.ethnicity): ThirdPerson[] {
    const d = this.d;
    const kids: ThirdPerson[] = [];
    let age = motherAge - d.int(19, 34);
    for (let i = 0; i < count && age >= 0; i++) {
      const sex: Sex = d.chance(0.51) ? 'M' : 'F';
      const dob = birthDate(d, age);
      kids.push(this.person(h, sex, dob, this.childGiven(e, sex, dob), family, e));
      age -= d.chance(0.8) ? d.int(1, 3) : d.int(4, 7);
    }
    this.markSiblings(kids);
    return kids;
  }

  private markSiblings(kids: ThirdPerson[]) {
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        if (kids[i]!.birthDate === kids[j]!.birthDate) continue;
        this.siblingPairs.push([kids[i]!.id, kids[j]!.id]);
        for (const k of [kids[i]!, kids[j]!]) if (!k.traits.includes('sibling')) k.traits.push('sibling');
      }
    }
  }

  private general(kind: GeneralKind, left: number) {
    const d = this.d;
    if (left < 2 && kind !== 'single') kind = 'single';
    if (left < 3 && (kind === 'family' || kind === 'multigen')) kind = 'couple';
    const h = this.household(this.ethnicity());
    switch (kind) {
      case 'single':
        this.head(h, d.chance(0.5) ? 'M' : 'F', this.adultAge());
        break;
      case 'couple': {
        const husband = this.head(h, 'M', this.adultAge(19));
        this.wife(h, husband);
        break;
      }
      case 'family': {
        const husband = this.head(h, 'M', this.adultAge(22, 58));
        const wife = this.wife(h, husband);
        const n = Math.min(left - 2, 1 + d.weighted([35, 38, 18, 9]));
        this.children(h, this.childFamily(h, husband, wife), Math.round(ageAt(wife.birthDate)), n);
        break;
      }
      case 'single-parent': {
        const mother = d.chance(0.82);
        const parent = this.head(h, mother ? 'F' : 'M', this.adultAge(19, 52));
        const n = Math.min(left - 1, 1 + d.weighted([50, 35, 15]));
        // Some children carry another father's surname.
        const family = mother && d.chance(0.35) ? this.surname(h.ethnicity) : firstSurname(parent.family);
        this.children(h, family, Math.round(ageAt(parent.birthDate)) + (mother ? 0 : -2), n);
        break;
      }
      case 'multigen': {
        const head = this.head(h, d.chance(0.5) ? 'M' : 'F', this.adultAge(35, 58));
        const headAge = Math.round(ageAt(head.birthDate));
        const elderAge = Math.min(97, headAge + d.int(20, 38));
        const elderSex: Sex = d.chance(0.7) ? 'F' : 'M';
        const elderFamily = elderSex === 'M' || head.sex === 'M' ? firstSurname(head.birthFamily ?? head.family) : this.surname(h.ethnicity);
        this.person(h, elderSex, birthDate(d, elderAge), this.givenFor(h.ethnicity, elderSex), elderFamily);
        if (left >= 4 && d.chance(0.5)) this.children(h, firstSurname(head.family), headAge, Math.min(left - 2, d.int(1, 2)));
        break;
      }
      case 'roommates': {
        const n = Math.min(left, d.int(2, 3));
        for (let i = 0; i < n; i++) {
          const e = i === 0 ? h.ethnicity : this.ethnicity();
          const sex: Sex = d.chance(0.5) ? 'M' : 'F';
          const family = e === 'hispanic' ? this.hispanicSurname() : this.surname(e);
          const p = this.person(h, sex, birthDate(d, d.int(19, 34)), this.givenFor(d.chance(0.5) && e === 'general' ? 'modern' : e, sex), family, e);
          p.traits.push('roommate');
        }
        this.settle(h, true);
        return;
      }
    }
    this.settle(h);
  }

  private special(kind: SpecialKind, left: number): boolean {
    const d = this.d;
    if (kind === 'namesake') return this.namesake();
    if (kind === 'jrsr') {
      if (left < 2) return false;
      const h = this.household(d.chance(0.75) ? 'general' : this.ethnicity());
      const srAge = d.int(42, 80);
      const gap = d.int(20, 35);
      const sr = this.head(h, 'M', srAge);
      const jrDob = new Date(Date.parse(sr.birthDate) + gap * 365.25 * DAY + d.int(-150, 150) * DAY).toISOString().slice(0, 10);
      if (jrDob.replace(/-/g, '') > LATEST_DOB) return this.undo(h);
      const jr = this.person(h, 'M', jrDob, sr.given, sr.family);
      if (sr.middle && d.chance(0.85)) jr.middle = sr.middle;
      else if (!sr.middle) delete jr.middle;
      sr.suffix = 'SR';
      jr.suffix = 'JR';
      sr.tags.push('senior');
      jr.tags.push('junior');
      sr.juniorSeniorOf = jr.id;
      jr.juniorSeniorOf = sr.id;
      this.juniorSeniorPairs.push([sr.id, jr.id]);
      if (left >= 3 && d.chance(0.6)) {
        const w = this.wife(h, sr);
        // The junior's mother: keep her married name the family's.
        if (w.maidenFamily) {
          w.family = sr.family;
          delete w.maidenFamily;
          delete w.nameChangeAt;
          w.tags = w.tags.filter((t) => t !== 'name-change');
          w.traits = w.traits.filter((t) => t !== 'double-barrel');
        }
      }
      this.settle(h);
      return true;
    }
    // Twins (or triplets) with one or two parents and maybe an older sibling.
    const triplets = d.chance(0.06);
    const size = (triplets ? 3 : 2) + 1;
    if (left < size) return false;
    const h = this.household(this.ethnicity());
    const two = left >= size + 1 && d.chance(0.7);
    const parent = this.head(h, two ? 'M' : d.chance(0.85) ? 'F' : 'M', this.adultAge(22, 50));
    const mother = two ? this.wife(h, parent) : parent.sex === 'F' ? parent : undefined;
    const family = this.childFamily(h, parent.sex === 'M' ? parent : undefined, mother);
    const motherAge = Math.round(ageAt((mother ?? parent).birthDate));
    const older = left >= size + (two ? 2 : 1) && d.chance(0.3) ? this.children(h, family, motherAge, 1) : [];
    const twinAge = Math.max(0, motherAge - d.int(20, 40));
    const dob = older.length ? birthDate(d, Math.max(0, Math.floor(ageAt(older[0]!.birthDate)) - d.int(1, 4))) : birthDate(d, twinAge);
    const names = this.twinNames(h.ethnicity, dob, triplets ? 3 : 2);
    const set = names.map(([g, sex]) => this.person(h, sex, dob, g, family));
    // Enumeration at birth: twins' SSNs are often consecutive.
    if (dob >= '1988' && d.chance(0.6)) {
      for (let i = 1; i < set.length; i++) {
        const prev = set[i - 1]!.ssn;
        if (!prev || !set[i]!.ssn || prev.endsWith('9999')) continue;
        set[i]!.ssn = prev.slice(0, 5) + pad(Number(prev.slice(5)) + 1, 4);
        for (const p of [set[i - 1]!, set[i]!]) if (!p.traits.includes('consecutive-ssn')) p.traits.push('consecutive-ssn');
      }
    }
    for (let i = 0; i < set.length; i++) {
      const p = set[i]!;
      p.tags.push('twin');
      p.twinOf = set[(i + 1) % set.length]!.id;
      if (triplets) p.traits.push('triplet');
      for (let j = i + 1; j < set.length; j++) this.twinPairs.push([p.id, set[j]!.id]);
    }
    if (triplets) this.tripletSets.push([set[0]!.id, set[1]!.id, set[2]!.id]);
    this.markSiblings([...older, ...set]);
    this.settle(h);
    return true;
  }

  /** Twin names: similar in spelling (JAYDEN / JADEN), the same initial, or unrelated. */
  private twinNames(e: Ethnicity, dob: string, n: number): Array<[string, Sex]> {
    const d = this.d;
    const style = d.weighted([35, 30, 35]);
    if (style === 0) {
      const [a, sa, b, sb] = d.pick(TWIN_SIMILAR);
      const out: Array<[string, Sex]> = [[a, sa], [b, sb]];
      if (n === 3) out.push([this.childGiven(e, 'F', dob), 'F']);
      return dedupeNames(out, () => this.childGiven(e, 'M', dob));
    }
    const out: Array<[string, Sex]> = [];
    const firstSex: Sex = d.chance(0.5) ? 'M' : 'F';
    const first = this.childGiven(e, firstSex, dob);
    out.push([first, firstSex]);
    for (let i = 1; i < n; i++) {
      const sex: Sex = d.chance(0.55) ? firstSex : firstSex === 'M' ? 'F' : 'M';
      let g = this.childGiven(e, sex, dob);
      if (style === 1) {
        const pool = [...GIVEN.modern[sex], ...GIVEN[e][sex]].filter((x) => x[0] === first[0] && !out.some(([o]) => o === x));
        if (pool.length) g = d.pick(pool);
      }
      out.push([g, sex]);
    }
    return dedupeNames(out, () => this.childGiven(e, 'F', dob));
  }

  /** An unrelated person with the same name, sex and DOB as an earlier one, in another city. */
  private namesake(): boolean {
    const d = this.d;
    const pool = this.persons.filter((p) => ageAt(p.birthDate) >= 20 && !p.tags.length && !p.traits.includes('namesake') && !p.given.includes(' '));
    if (!pool.length) return false;
    const src = d.pick(pool);
    const srcCity = this.households[src.household]!.city;
    const cities = CITIES.filter((c) => c.city !== srcCity.city);
    const h = this.household(src.ethnicity, cities[d.weighted(cities.map((c) => c.weight))]!);
    const p = this.person(h, src.sex, src.birthDate, src.given, src.family, src.ethnicity);
    if (src.middle && p.middle === src.middle) delete p.middle;
    for (const x of [src, p]) x.traits.push('namesake');
    this.namesakePairs.push([src.id, p.id]);
    this.settle(h);
    return true;
  }

  /** Drops a household that turned out impossible (only its just-created persons). */
  private undo(h: Household): false {
    for (const p of h.members) {
      this.persons.splice(this.persons.indexOf(p), 1);
    }
    this.households.pop();
    return false;
  }
}

function isParticleName(s: string): boolean {
  return PARTICLES.has(s.split(/[\s-]/)[0]!) || s.includes("'");
}

/** The first of two surnames (GARCIA LOPEZ → GARCIA); a particle name stays whole. */
function firstSurname(s: string): string {
  if (isParticleName(s)) return s;
  return s.split(/[\s-]/)[0]!;
}

function dedupeNames(xs: Array<[string, Sex]>, another: () => string): Array<[string, Sex]> {
  const seen = new Set<string>();
  return xs.map(([g, s]) => {
    let name = g;
    for (let i = 0; i < 10 && seen.has(name); i++) name = another();
    seen.add(name);
    return [name, s];
  });
}

// ---------------------------------------------------------------------------------------------- records

/** Per record conventions: how this registration system stores this person (stable over the record's life). */
interface Conventions {
  middle: 'full' | 'initial' | 'none';
  suffix: boolean;
  compound: 'keep' | 'first' | 'hyphen';
  barrel: 'keep' | 'last' | 'space';
  givenCompound: 'keep' | 'split' | 'first';
  koreanGiven: 'keep' | 'join' | 'space';
  lettersOnly: boolean;
  accents: boolean;
  lower: boolean;
  abbreviateType: boolean;
  abbreviateDirection: boolean;
  zip4: boolean;
}

/** Per record errors, drawn at registration (a correction on update removes them). */
interface Noise {
  given: 'formal' | 'nickname' | 'alias';
  nickname?: string;
  givenMiddleSwap: boolean;
  nameSwap: boolean;
  givenInitial: boolean;
  staleMaiden: boolean;
  family?: { kind: 'keyboard' | 'ocr' | 'phonetic'; seed: number; base?: string };
  givenTypo?: { kind: 'keyboard' | 'ocr' | 'phonetic'; seed: number; base?: string };
  whitespace?: number;
  dob?: { value: string; kind: ThirdErrorKind };
  ssn?: { value?: string; kind: ThirdErrorKind };
  missingPhone: boolean;
  phoneDigit?: number;
  missingAddress: boolean;
  streetTypo?: number;
  unitDropped: boolean;
}

interface RecordPlan {
  sender: ThirdSender;
  senderIndex: number;
  person: ThirdPerson;
  duplicate: boolean;
  registration: 'A01' | 'A04' | 'A28';
  regAt: number;
  updates: number[];
  /** Duplicates merged by the sender: when the A40 goes out. */
  a40At?: number;
  /** The duplicate of this record (the A40 names both). */
  dupOf?: RecordPlan;
  fixAt?: number;
  learnsMove: boolean;
  learnsName: boolean;
  conv: Conventions;
  noise: Noise;
  mrn: string;
  account: number;
  variations: Set<Variation>;
  errors: Set<ThirdErrorKind>;
}

interface NameOut {
  family: string;
  given: string;
  middle?: string;
  suffix?: string;
  maiden?: string;
}

interface Sent extends NameOut {
  dob: string;
  sex: Sex;
  ssn?: string;
  address?: { street: string; other?: string; city: string; state: string; zip: string };
  phones: Array<{ number: string; equipment: 'PH' | 'CP' }>;
}

class RecordClerk {
  constructor(
    private readonly nicknames: ReadonlyMap<string, readonly string[]>,
    private readonly households: readonly number[][],
    private readonly persons: readonly ThirdPerson[],
  ) {}

  conventions(s: ThirdSender, p: ThirdPerson, d: Dice): Conventions {
    const m = s.model;
    const mid = d.u();
    const comp = d.u();
    const bar = d.u();
    const giv = d.u();
    const style = m.streetStyle;
    return {
      middle: mid < m.middleFull ? 'full' : mid < m.middleFull + m.middleInitial ? 'initial' : 'none',
      suffix: d.chance(m.suffix),
      compound: comp < m.compoundFirst ? 'first' : comp < m.compoundFirst + m.compoundHyphen ? 'hyphen' : 'keep',
      barrel: bar < m.barrelLast ? 'last' : bar < m.barrelLast + m.barrelSpace ? 'space' : 'keep',
      givenCompound: giv < m.givenSplit ? 'split' : giv < m.givenSplit + m.givenFirstOnly ? 'first' : 'keep',
      koreanGiven: s.kind === 'lab' || d.chance(0.25) ? 'join' : d.chance(0.15) ? 'space' : 'keep',
      lettersOnly: d.chance(m.lettersOnly),
      accents: d.chance(m.accents) && p.ethnicity === 'hispanic',
      lower: d.chance(m.lowerCase),
      abbreviateType: style === 'usps' || (style === 'mixed' && d.chance(0.6)),
      abbreviateDirection: style === 'usps' || (style === 'mixed' && d.chance(0.7)),
      zip4: d.chance(m.zip4),
    };
  }

  noise(s: ThirdSender, p: ThirdPerson, d: Dice, boost: number, at: number): Noise {
    const m = s.model;
    const x = (r: number) => Math.min(0.9, r * boost);
    const nicks = this.nicknamesOf(p.given);
    const nickname = nicks.length && d.chance(x(m.nickname)) ? pickNickname(nicks, d) : undefined;
    const alias = !nickname && p.alias && d.chance(x(m.alias));
    const east = p.ethnicity === 'vietnamese' || p.ethnicity === 'korean';
    const typo = (): Noise['family'] => {
      const r = d.u();
      const k = x(m.keyboard);
      const o = x(m.ocr);
      const ph = x(m.phonetic);
      if (r < k) return { kind: 'keyboard', seed: d.int(0, 2 ** 31) };
      if (r < k + o) return { kind: 'ocr', seed: d.int(0, 2 ** 31) };
      if (r < k + o + ph) return { kind: 'phonetic', seed: d.int(0, 2 ** 31) };
      return undefined;
    };
    const n: Noise = {
      given: nickname ? 'nickname' : alias ? 'alias' : 'formal',
      givenMiddleSwap: !!p.middle && d.chance(x(m.givenMiddleSwap)),
      nameSwap: d.chance(x(m.nameSwap * (east ? 4 : 1))),
      givenInitial: d.chance(x(m.givenInitial)),
      staleMaiden: !!p.birthFamily && d.chance(x(m.staleMaiden)),
      missingPhone: d.chance(x(m.missingPhone)),
      missingAddress: d.chance(x(m.missingAddress)),
      unitDropped: d.chance(m.unitDropped),
    };
    if (nickname) n.nickname = nickname;
    const fam = typo();
    if (fam) n.family = fam;
    const giv = typo();
    if (giv) n.givenTypo = giv;
    if (d.chance(m.whitespace)) n.whitespace = d.int(0, 2 ** 31);
    if (d.chance(x(m.streetTypo))) n.streetTypo = d.int(0, 2 ** 31);
    if (d.chance(x(m.phoneDigit))) n.phoneDigit = d.int(0, 2 ** 31);
    const dob = this.dobNoise(m, p, d, x);
    if (dob) n.dob = dob;
    const ssn = this.ssnNoise(s, p, d, x, boost, at);
    if (ssn) n.ssn = ssn;
    return n;
  }

  private nicknamesOf(given: string): readonly string[] {
    return this.nicknames.get(given) ?? this.nicknames.get(given.split(' ')[1] ?? '') ?? [];
  }

  private dobNoise(m: ThirdErrorModel, p: ThirdPerson, d: Dice, x: (r: number) => number): Noise['dob'] {
    const [y, mo, da] = p.birthDate.split('-').map(Number) as [number, number, number];
    const r = d.u();
    let acc = x(m.dobSwap);
    if (r < acc) return da <= 12 && da !== mo ? { value: `${y}${pad(da)}${pad(mo)}`, kind: 'dob-swap' } : undefined;
    acc += x(m.dobDigit);
    if (r < acc) {
      const clean = `${y}${pad(mo)}${pad(da)}`;
      for (let i = 0; i < 12; i++) {
        // The year's last two digits, the month or the day: the digits people and OCR get wrong.
        const pos = d.pick([2, 3, 3, 4, 5, 6, 7, 7]);
        const c = clean[pos]!;
        const alt = m.dobOcr ? OCR_DIGITS[c] : KEYPAD_NEAR[c];
        if (!alt) continue;
        const v = clean.slice(0, pos) + d.pick([...alt]) + clean.slice(pos + 1);
        if (validYmd(Number(v.slice(0, 4)), Number(v.slice(4, 6)), Number(v.slice(6))) && v <= LATEST_DOB && v !== clean) {
          return { value: v, kind: m.dobOcr ? 'dob-ocr' : 'dob-digit' };
        }
      }
      return undefined;
    }
    acc += x(m.dobYear);
    if (r < acc) {
      const ny = y + (d.chance(0.5) ? 1 : -1);
      const v = `${ny}${pad(mo)}${pad(da)}`;
      return validYmd(ny, mo, da) && v <= LATEST_DOB ? { value: v, kind: 'dob-year' } : undefined;
    }
    acc += x(m.dobJan1);
    if (r < acc && !(mo === 1 && da === 1)) return { value: `${y}0101`, kind: 'dob-jan1' };
    return undefined;
  }

  private ssnNoise(s: ThirdSender, p: ThirdPerson, d: Dice, x: (r: number) => number, boost: number, at: number): Noise['ssn'] {
    if (s.flavour.ssn === 'none') return undefined;
    const m = s.model;
    if (!p.ssn) return d.chance(m.ssnPlaceholder) ? { value: '999999999', kind: 'ssn-placeholder' } : undefined;
    if (d.chance(Math.min(0.95, m.missingSsn * Math.min(boost, 1.6)))) {
      return d.chance(m.ssnPlaceholder) ? { value: '999999999', kind: 'ssn-placeholder' } : { kind: 'missing-ssn' };
    }
    if (ageAt(p.birthDate, at) < 18 && d.chance(x(m.ssnGuarantor))) {
      const parent = this.households[p.household]!.map((id) => this.persons[id]!).find((q) => q.id !== p.id && q.ssn && ageAt(q.birthDate) - ageAt(p.birthDate) >= 16);
      if (parent?.ssn) return { value: parent.ssn, kind: 'ssn-guarantor' };
    }
    const r = d.u();
    if (r < x(m.ssnDigit)) {
      const i = d.int(0, 8);
      let c = String(d.int(0, 9));
      if (c === p.ssn[i]) c = String((Number(c) + 1) % 10);
      return { value: p.ssn.slice(0, i) + c + p.ssn.slice(i + 1), kind: 'ssn-digit' };
    }
    if (r < x(m.ssnDigit) + x(m.ssnTranspose)) {
      const ok = [...Array(8).keys()].filter((i) => p.ssn![i] !== p.ssn![i + 1]);
      if (ok.length) {
        const i = d.pick(ok);
        return { value: p.ssn.slice(0, i) + p.ssn[i + 1] + p.ssn[i] + p.ssn.slice(i + 2), kind: 'ssn-transposed' };
      }
    }
    return undefined;
  }

  /** What the sender sends about the record's person at `at`. */
  render(plan: RecordPlan, at: number): Sent {
    const { person: p, sender: s, conv } = plan;
    const noisy = plan.fixAt === undefined || at < plan.fixAt;
    const n: Noise = noisy ? plan.noise : CLEAN_NOISE;
    const err = (e: ThirdErrorKind) => plan.errors.add(e);
    const vary = (v: Variation) => plan.variations.add(v);
    // The sender's knowledge: its copy is as of registration unless an update brought the news.
    const nameAt = plan.learnsName ? at : plan.regAt;
    const addrAt = plan.learnsMove ? at : plan.regAt;

    // ---- family
    let family = p.nameChangeAt !== undefined && nameAt < p.nameChangeAt ? p.maidenFamily! : p.family;
    if (family !== p.family) {
      vary('maiden-family');
      err('maiden-family');
    }
    if (n.staleMaiden && p.birthFamily && family === p.family) {
      family = p.birthFamily;
      vary('maiden-family');
      err('stale-maiden');
    }
    const legal = family === p.family;
    const parts = family.split(/([\s-])/);
    if (!isParticleName(family) && parts.length === 3) {
      const [a, sep, b] = parts as [string, string, string];
      const barrel = sep === '-' && (p.traits.includes('double-barrel') || family !== p.family);
      if (barrel && family === p.family) {
        if (conv.barrel === 'last') {
          family = b;
          vary('typo-family');
          err('surname-part');
        } else if (conv.barrel === 'space') {
          family = `${a} ${b}`;
          err('surname-format');
        }
      } else if (!barrel) {
        if (conv.compound === 'first') {
          family = a;
          vary('typo-family');
          err('surname-part');
        } else if (conv.compound === 'hyphen' && sep === ' ') {
          family = `${a}-${b}`;
          err('surname-format');
        }
      }
    }
    if (conv.lettersOnly && /[^A-Z]/.test(family)) {
      family = family.replace(/[^A-Z]/g, '');
      err('particle-format');
    }

    // ---- given and middle
    let given = p.given;
    let middle = p.middle;
    if (n.given === 'nickname' && n.nickname) {
      given = n.nickname;
      vary('nickname');
      err('nickname');
    } else if (n.given === 'alias' && p.alias) {
      given = p.alias;
      vary('nickname');
      err('alias');
    }
    if (given === p.given && given.includes(' ')) {
      const [first, ...rest] = given.split(' ');
      if (conv.givenCompound === 'split') {
        given = first!;
        middle = rest.join(' ');
        vary('typo-given');
        err('given-part');
      } else if (conv.givenCompound === 'first') {
        given = first!;
        middle = undefined;
        vary('typo-given');
        err('given-part');
      }
    }
    if (given.includes('-') && conv.koreanGiven !== 'keep') {
      given = given.replace('-', conv.koreanGiven === 'join' ? '' : ' ');
      err('given-format');
    }
    if (conv.lettersOnly && /['-]/.test(given)) {
      given = given.replace(/['-]/g, '');
      err('given-format');
    }
    if (middle && middle === p.middle) middle = conv.middle === 'full' ? middle : conv.middle === 'initial' ? middle[0] : undefined;
    if (n.givenInitial && given.length > 1) {
      given = given[0]!;
      middle = undefined;
      vary('typo-given');
      err('given-initial');
    }
    if (n.givenMiddleSwap && middle && middle.length > 1) {
      [given, middle] = [middle, given];
      vary('typo-given');
      err('given-middle-swap');
    }

    // ---- typos (on what was typed at registration; a retyped name is typed afresh, clean)
    const typed = (base: string, t: Noise['family'], field: NameField): string => {
      if (!t) return base;
      t.base ??= base;
      if (t.base !== base) return base;
      const out = nameError(base, t.kind, t.seed);
      if (out !== base) {
        vary(field === 'family' ? 'typo-family' : 'typo-given');
        err(`${field}-${t.kind}`);
      }
      return out;
    };
    family = typed(family, n.family, 'family');
    given = typed(given, n.givenTypo, 'given');
    const m = s.model;
    if (m.maxFamily && family.length > m.maxFamily) {
      family = family.slice(0, m.maxFamily);
      vary('typo-family');
      err('family-truncated');
    }
    if (m.maxGiven && given.length > m.maxGiven) {
      given = given.slice(0, m.maxGiven);
      vary('typo-given');
      err('given-truncated');
    }
    if (n.nameSwap) {
      [given, family] = [family, given];
      vary('typo-given');
      vary('typo-family');
      err('name-swap');
    }
    let suffix: string | undefined;
    if (p.suffix && conv.suffix) {
      suffix = p.suffix;
      vary('suffix');
      err('suffix');
    }
    let maiden: string | undefined;
    if (s.flavour.maidenRepetition && p.maidenFamily && legal) maiden = p.maidenFamily;

    // ---- accents, case, whitespace
    if (conv.accents) {
      const acc = (x: string) => x.replace(/[A-Z]+/g, (w) => ACCENTED[w] ?? w);
      const [f2, g2] = [acc(family), acc(given)];
      if (f2 !== family || g2 !== given) err('accent');
      [family, given] = [f2, g2];
    }
    const cased = (x: string | undefined) => (x === undefined ? undefined : conv.lower ? x.toLowerCase() : s.flavour.nameCase === 'mixed' ? mixedCase(x) : x);
    if (conv.lower) err('lower-case');
    family = cased(family)!;
    given = cased(given)!;
    middle = cased(middle);
    maiden = cased(maiden);
    if (n.whitespace !== undefined) {
      const wd = new Dice(n.whitespace);
      const where = wd.int(0, 2);
      if (where === 0) family = `${family} `;
      else if (where === 1) given = ` ${given}`;
      else family = family.includes(' ') ? family.replace(' ', '  ') : `${family}  `;
      err('whitespace');
    }

    // ---- DOB, sex
    let dob = p.birthDate.replace(/-/g, '');
    if (n.dob) {
      dob = n.dob.value;
      vary(n.dob.kind === 'dob-swap' ? 'dob-swap' : 'dob-digit');
      err(n.dob.kind);
    }

    // ---- SSN
    let ssn: string | undefined;
    if (s.flavour.ssn !== 'none') {
      ssn = p.ssn;
      if (n.ssn) {
        ssn = n.ssn.value;
        err(n.ssn.kind);
        if (p.ssn && (n.ssn.kind === 'missing-ssn' || n.ssn.kind === 'ssn-placeholder')) vary('missing-ssn');
      }
    }

    // ---- address and phones
    const current = addressAt(p, at);
    const known = addressAt(p, addrAt);
    let address: Sent['address'];
    if (s.kind !== 'lab' && n.missingAddress) {
      vary('missing-address');
      err('missing-address');
    } else if (s.kind !== 'lab') {
      if (known !== current) err('old-address');
      address = this.street(plan, known, n, conv);
    }
    const phones: Sent['phones'] = [];
    if (s.flavour.phone !== 'none') {
      const home = known.phone;
      if (known.phone !== current.phone) err('old-phone');
      const mobile = p.mobile && p.mobile !== home && m.mobile !== 'never' ? p.mobile : undefined;
      const list: Sent['phones'] = m.mobile === 'first' && mobile ? [{ number: mobile, equipment: 'CP' }, { number: home, equipment: 'PH' }] : [{ number: home, equipment: home === p.mobile ? 'CP' : 'PH' }];
      if (m.mobile === 'second' && mobile) list.push({ number: mobile, equipment: 'CP' });
      if (n.missingPhone) {
        vary('missing-phone');
        err('missing-phone');
      } else {
        if (n.phoneDigit !== undefined) {
          const pd = new Dice(n.phoneDigit);
          const first = list[0]!;
          const i = pd.int(3, 9);
          const c = first.number[i]!;
          const alt = pd.pick([...(KEYPAD_NEAR[c] ?? '0')]);
          list[0] = { ...first, number: first.number.slice(0, i) + alt + first.number.slice(i + 1) };
          err('phone-digit');
        }
        phones.push(...list);
      }
    }
    return { family, given, middle, suffix, maiden, dob, sex: p.sex, ssn, address, phones };
  }

  private street(plan: RecordPlan, a: ThirdAddress, n: Noise, conv: Conventions): NonNullable<Sent['address']> {
    const { parts } = a;
    const dir = parts.direction === undefined ? '' : `${DIRECTIONS[parts.direction]![conv.abbreviateDirection ? 1 : 0]} `;
    let name = parts.name;
    if (n.streetTypo !== undefined) {
      const t = keyboardError(name, new Dice(n.streetTypo));
      if (t !== name) {
        name = t;
        plan.variations.add('typo-street');
        plan.errors.add('street-typo');
      }
    }
    let street = `${parts.number} ${dir}${name} ${STREET_TYPES[parts.type]![conv.abbreviateType ? 1 : 0]}`;
    let other: string | undefined;
    if (parts.delimiterLine) {
      other = parts.delimiterLine;
      plan.variations.add('delimiter');
      plan.errors.add('delimiter');
    } else if (parts.unit && n.unitDropped) plan.errors.add('unit-dropped');
    else if (parts.unit) {
      const word = conv.abbreviateType ? parts.unit.kind : UNIT_WORDS[parts.unit.kind];
      const style = plan.sender.model.unitStyle;
      if (style === 'other') other = `${word} ${parts.unit.id}`;
      else if (style === 'inline') street += ` ${word} ${parts.unit.id}`;
      else street += ` #${parts.unit.id}`;
    }
    const s = plan.sender;
    const cased = (x: string) => (plan.conv.lower ? x.toLowerCase() : s.flavour.nameCase === 'mixed' ? mixedCase(x) : x);
    const zip = conv.zip4 ? `${a.zip}-${pad(seedOf(a.street, a.zip) % 10000, 4)}` : a.zip;
    const out: NonNullable<Sent['address']> = { street: cased(street), city: cased(a.city), state: a.state, zip };
    if (other) out.other = cased(other);
    return out;
  }
}

const CLEAN_NOISE: Noise = { given: 'formal', givenMiddleSwap: false, nameSwap: false, givenInitial: false, staleMaiden: false, missingPhone: false, missingAddress: false, unitDropped: false };

function addressAt(p: Person, at: number): ThirdAddress {
  let a = p.addresses[0]!;
  for (const x of p.addresses) if (x.from <= at) a = x;
  return a as ThirdAddress;
}

function pickNickname(nicks: readonly string[], d: Dice): string | undefined {
  const everyday = nicks.filter((x) => EVERYDAY_NICKNAMES.has(x));
  if (everyday.length && d.chance(0.9)) return d.pick(everyday);
  return d.chance(0.3) ? d.pick(nicks) : everyday.length ? d.pick(everyday) : undefined;
}

function nicknameMap(pairs: ReadonlyArray<readonly [string, string]> | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [formal, nick] of [...(pairs ?? FALLBACK_NICKNAMES), ...HISPANIC_NICKNAMES]) {
    const f = formal.trim().toUpperCase();
    const n = nick.trim().toUpperCase();
    if (!f || !n || f === n || !/^[A-Z]{2,}$/.test(n)) continue;
    const list = map.get(f) ?? [];
    if (!list.includes(n)) list.push(n);
    map.set(f, list);
  }
  return map;
}

// ---------------------------------------------------------------------------------------------- HL7

const STRUCTURE: Record<PopulationMessage['event'], string> = { A01: 'ADT_A01', A04: 'ADT_A01', A08: 'ADT_A01', A28: 'ADT_A05', A31: 'ADT_A05', A40: 'ADT_A39' };
const e = hl7Escape;

function cx(s: ThirdSender, id: string, type: string = s.flavour.mrnType): string {
  const a = s.flavour.cx4;
  const cx4 = a === 'full' ? `${s.namespace}&${s.oid}&ISO` : a === 'namespace' ? s.namespace : a === 'oid' ? `&${s.oid}&ISO` : '';
  return `${e(id)}^^^${cx4}^${type}`;
}

function pidSegment(s: ThirdSender, plan: RecordPlan, sent: Sent, accountFor: number): string {
  const f: string[] = ['PID', '1', ''];
  let pid3 = cx(s, plan.mrn);
  if (s.flavour.accountInPid3) pid3 += `~${cx(s, `V${pad(accountFor, 9)}`, 'AN')}`;
  if (s.flavour.ssn === 'pid3' && sent.ssn) pid3 += `~${sent.ssn}^^^USSSA^SS`;
  f.push(pid3, '');
  const nameType = s.nameType ? '^^^L' : '';
  let pid5 = `${e(sent.family)}^${e(sent.given)}^${e(sent.middle ?? '')}^${e(sent.suffix ?? '')}${nameType}`;
  if (!s.nameType) pid5 = pid5.replace(/\^+$/, '');
  if (sent.maiden) pid5 += `~${e(sent.maiden)}^${e(sent.given)}^^^^^M`;
  f.push(pid5, '', sent.dob, sent.sex, '', '');
  const a = sent.address;
  f.push(a ? `${e(a.street)}^${e(a.other ?? '')}^${e(a.city)}^${a.state}^${a.zip}${s.kind === 'hospital' ? '^USA^H' : ''}` : '', '');
  const phones = sent.phones.map((ph) =>
    s.flavour.phone === 'formatted'
      ? `(${ph.number.slice(0, 3)})${ph.number.slice(3, 6)}-${ph.number.slice(6)}^PRN^${ph.equipment}`
      : `^PRN^${ph.equipment}^^^${ph.number.slice(0, 3)}^${ph.number.slice(3)}`,
  );
  f.push(phones.join('~'), '', '', '', '');
  f.push(s.accountInPid18 ? `${pad(accountFor, 10)}^^^${s.namespace}&${s.oid}&ISO^AN` : '');
  const ssn = sent.ssn && (s.flavour.ssn === 'pid19' || s.flavour.ssn === 'pid19-dashed') ? (s.flavour.ssn === 'pid19-dashed' ? `${sent.ssn.slice(0, 3)}-${sent.ssn.slice(3, 5)}-${sent.ssn.slice(5)}` : sent.ssn) : '';
  f.push(ssn);
  while (f.length > 2 && f[f.length - 1] === '') f.pop();
  return f.join('|');
}

function message(s: ThirdSender, event: PopulationMessage['event'], controlId: string, at: number, body: string[]): string {
  const ts = hl7Time(at);
  let msh = `MSH|^~\\&|${s.application}|${s.facility}|HIE_MPI|GULFHIE|${ts}||ADT^${event}^${STRUCTURE[event]}|${controlId}|P|2.5`;
  if (s.flavour.enhancedAck) msh += '|||AL|NE';
  if (s.flavour.charset) msh += `${s.flavour.enhancedAck ? '' : '||||'}|USA|${s.flavour.charset}`;
  return [msh, `EVN|${event}|${ts}`, ...body].join('\r') + '\r';
}

function pv1(s: ThirdSender, event: PopulationMessage['event']): string {
  if (event === 'A28' || event === 'A31') return 'PV1|1|N';
  if (event === 'A01') return 'PV1|1|I';
  return `PV1|1|${event === 'A08' ? 'O' : s.patientClass}`;
}

// ---------------------------------------------------------------------------------------------- generator

interface FeedEvent {
  at: number;
  senderIndex: number;
  seq: number;
  plan: RecordPlan;
  kind: 'registration' | 'update' | 'a40';
}

export function generateThirdPopulation(opts: ThirdPopulationOptions): ThirdPopulation {
  const seed = opts.seed >>> 0;
  const n = Math.max(0, Math.floor(opts.persons));
  const rates: HardCaseRates = { ...THIRD_RATES };
  const senders = thirdPopulationSenders();

  // ---- persons and households
  const builder = new PopulationBuilder(new Dice(seedOf(seed, 'population')), n, rates);
  builder.build();
  const persons = builder.persons;
  for (const p of persons) if (COMMON_SET.has(`${p.given} ${p.family}`) && !p.tags.includes('common-name')) p.tags.push('common-name');
  const households = builder.households.map((h) => h.members.map((p) => p.id));

  // ---- which senders know whom, when
  const clerk = new RecordClerk(nicknameMap(opts.nicknames), households, persons);
  const plans: RecordPlan[] = [];
  const groupRegAt = new Map<string, number>();
  // Twins and triplets by their first member.
  const twinGroup = new Map<number, number>();
  for (const [a, b] of builder.twinPairs) {
    const g = Math.min(a, b, twinGroup.get(a) ?? a, twinGroup.get(b) ?? b);
    twinGroup.set(a, g);
    twinGroup.set(b, g);
  }
  for (const p of persons) {
    const d = new Dice(seedOf(seed, 'coverage', p.id));
    const age = ageAt(p.birthDate);
    const weight = senders.map((s) => {
      const band = age < 18 ? s.affinity.child : age >= 65 ? s.affinity.senior : s.affinity.adult;
      return Math.min(0.95, s.coverage * band * (s.affinity.ethnic?.[p.ethnicity] ?? 1));
    });
    let chosen = senders.map((_, i) => i).filter((i) => d.chance(weight[i]!));
    if (!chosen.length) chosen = [d.weighted(weight)];
    for (const si of chosen) {
      const s = senders[si]!;
      const rd = new Dice(seedOf(seed, 'record', s.name, p.id));
      let regAt = workTime(rd, s, rd.int(0, FEED_DAYS - 1));
      const group = twinGroup.get(p.id);
      if (group !== undefined) {
        // Twins come in together: registered minutes apart.
        const key = `${s.name}|${group}`;
        const first = groupRegAt.get(key);
        if (first === undefined) groupRegAt.set(key, regAt);
        else regAt = first + rd.int(2, 15) * 60_000 + p.id;
      }
      const plan = newPlan(clerk, s, si, p, rd, regAt, false);
      plan.updates = updateTimes(rd, s.model.updates, regAt, FEED_END);
      plans.push(plan);
      // A second MRN: likelier when the person is hard to find (new name, alias, two surnames).
      const hard = p.tags.includes('name-change') || p.traits.includes('alias') || /[\s-]/.test(p.family) ? 1.8 : 1;
      if (rd.chance(s.model.duplicate * hard)) {
        const dupAt = workTime(rd, s, Math.floor(regAt / DAY) + rd.int(3, 300));
        if (dupAt < FEED_END - DAY) {
          const dup = newPlan(clerk, s, si, p, rd, dupAt, true);
          let until = FEED_END;
          if (rd.chance(s.model.a40)) {
            const a40At = workTime(rd, s, Math.floor(dupAt / DAY) + rd.int(1, 45));
            if (a40At < FEED_END && a40At > dupAt) {
              dup.a40At = a40At;
              until = a40At;
            }
          }
          dup.updates = updateTimes(rd, s.model.updates * 0.5, dupAt, until);
          dup.dupOf = plan;
          plans.push(dup);
        }
      }
    }
  }
  for (const plan of plans) {
    if (plan.fixAt === undefined && plan.updates.length && new Dice(seedOf(seed, 'fix', plan.sender.name, plan.person.id, plan.duplicate ? 1 : 0)).chance(plan.sender.model.fixOnUpdate)) {
      plan.fixAt = plan.updates[0];
    }
  }

  // ---- MRNs in registration order, with gaps (patients outside this population)
  senders.forEach((s, si) => {
    const mine = plans.filter((p) => p.senderIndex === si).sort((a, b) => a.regAt - b.regAt || a.person.id - b.person.id);
    const d = new Dice(seedOf(seed, 'mrn', s.name));
    const width = s.name === 'BAYOU' ? s.mrn.digits - 1 : s.mrn.digits;
    let next = Math.floor(10 ** (width - 1) * (1 + d.u() * 3));
    for (const p of mine) {
      next += d.int(1, 4);
      const body = String(next).padStart(width, '0').slice(-width);
      p.mrn = s.mrn.prefix + (s.name === 'BAYOU' ? body + luhn(body) : body);
      p.account = d.int(1, 999_999_999);
    }
  });

  // ---- events, in time order; control ids per sender in that order
  const events: FeedEvent[] = [];
  let seq = 0;
  for (const plan of plans) {
    events.push({ at: plan.regAt, senderIndex: plan.senderIndex, seq: seq++, plan, kind: 'registration' });
    for (const at of plan.updates) events.push({ at, senderIndex: plan.senderIndex, seq: seq++, plan, kind: 'update' });
    if (plan.a40At !== undefined) events.push({ at: plan.a40At, senderIndex: plan.senderIndex, seq: seq++, plan, kind: 'a40' });
  }
  events.sort((a, b) => a.at - b.at || a.senderIndex - b.senderIndex || a.seq - b.seq);
  const counters = senders.map((s) => Math.floor(new Dice(seedOf(seed, 'ctl', s.name)).u() * 1e6) * 100);
  const messages: PopulationMessage[] = [];
  for (const ev of events) {
    const { plan } = ev;
    const s = plan.sender;
    const controlId = `${s.controlIdPrefix}${pad(++counters[ev.senderIndex]!, 10)}`;
    if (ev.kind === 'a40') {
      const survivor = plan.dupOf!;
      const sent = clerk.render(survivor, ev.at);
      const text = message(s, 'A40', controlId, ev.at, [pidSegment(s, survivor, sent, survivor.account), `MRG|${cx(s, plan.mrn)}`]);
      messages.push({ sender: s.name, controlId, event: 'A40', text, oid: s.oid, mrn: survivor.mrn, retired: plan.mrn, person: plan.person.id, at: ev.at });
      continue;
    }
    const event = ev.kind === 'registration' ? plan.registration : s.flavour.update;
    const sent = clerk.render(plan, ev.at);
    const account = ev.kind === 'registration' ? plan.account : plan.account + Math.floor(ev.at / DAY);
    const text = message(s, event, controlId, ev.at, [pidSegment(s, plan, sent, account), pv1(s, event)]);
    messages.push({ sender: s.name, controlId, event, text, oid: s.oid, mrn: plan.mrn, person: plan.person.id, at: ev.at });
  }

  // ---- truth
  const records: ThirdRecordTruth[] = plans
    .slice()
    .sort((a, b) => a.person.id - b.person.id || a.senderIndex - b.senderIndex || Number(a.duplicate) - Number(b.duplicate))
    .map((p) => ({
      sender: p.sender.name,
      oid: p.sender.oid,
      mrn: p.mrn,
      person: p.person.id,
      duplicate: p.duplicate,
      mergedByA40: p.a40At !== undefined,
      variations: [...p.variations].sort(),
      errors: [...p.errors].sort(),
    }));

  return {
    seed,
    rates,
    senders,
    persons,
    households,
    records,
    messages,
    twinPairs: builder.twinPairs,
    juniorSeniorPairs: builder.juniorSeniorPairs,
    siblingPairs: builder.siblingPairs,
    spousePairs: builder.spousePairs,
    namesakePairs: builder.namesakePairs,
    tripletSets: builder.tripletSets,
    start: FEED_START,
    days: FEED_DAYS,
  };
}

function newPlan(clerk: RecordClerk, s: ThirdSender, si: number, p: ThirdPerson, d: Dice, regAt: number, duplicate: boolean): RecordPlan {
  const m = s.model;
  const conv = clerk.conventions(s, p, d);
  const boost = duplicate ? m.duplicateNoise : 1;
  const noise = clerk.noise(s, p, d, boost, regAt);
  // A duplicate exists because the search missed: with nothing else wrong, the name or DOB was mistyped.
  if (duplicate && !noise.family && !noise.givenTypo && !noise.dob && noise.given === 'formal' && d.chance(0.6)) {
    noise.family = { kind: m.ocr > 0 && d.chance(0.4) ? 'ocr' : d.chance(0.6) ? 'keyboard' : 'phonetic', seed: d.int(0, 2 ** 31) };
  }
  return {
    sender: s,
    senderIndex: si,
    person: p,
    duplicate,
    registration: d.pick(s.flavour.registration),
    regAt,
    updates: [],
    learnsMove: d.chance(m.learnsMove),
    learnsName: d.chance(m.learnsNameChange),
    conv,
    noise,
    mrn: '',
    account: 0,
    variations: new Set(),
    errors: new Set(),
  };
}

/** A moment on `day` within the sender's registration hours. */
function workTime(d: Dice, s: ThirdSender, day: number): number {
  const [from, to] = s.hours;
  return day * DAY + d.int(from, to) * 3_600_000 + d.int(0, 59) * 60_000 + d.int(0, 59) * 1000;
}

function updateTimes(d: Dice, mean: number, after: number, before: number): number[] {
  const k = d.poisson(mean);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const at = after + 3_600_000 + Math.floor(d.u() * (before - after - 2 * 3_600_000));
    if (at > after && at < before) out.push(at);
  }
  return out.sort((a, b) => a - b);
}
