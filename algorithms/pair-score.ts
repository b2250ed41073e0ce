/**
 * The score of one pair of persons as the online matcher uses it: the Fellegi-Sunter explanation of their
 * comparison vector, with term frequencies on the name comparisons, corrected for households, and the
 * vetoes that keep an automatic link from joining two people the score cannot tell apart.
 *
 * Households. Fellegi-Sunter multiplies likelihood ratios as if the comparisons were independent given the
 * match status. Between two members of one household (spouses, siblings, twins, a parent and a child named
 * alike) the family name, the street, the phone and the postcode agree together for one reason: they live
 * together. Summing their weights counts that one fact up to four times, which is how households become the
 * classic false merge. When the family name and the street or phone agree, the agreeing residence comparisons
 * R are treated as one piece of evidence, "same household":
 *
 *   m_H = Π_{i∈R} m_i           (for a match, the errors in each field are close to independent)
 *   u_H = min_{i∈R} u'_i        (for a non-match, agreeing on all is about as likely as on the rarest)
 *   w_H = log2(m_H / u_H)       replaces Σ_{i∈R} w'_i
 *
 * where u'_i is the level's u after term-frequency adjustment (u'_i = m_i / 2^(w_i + tf_i)). The difference
 * w_H − Σ w'_i is shown as its own 'household' contribution, so the waterfall still adds up. (Running the same
 * correction over street, phone and postcode when the family names differ was tried: it cost FEBRL dsgen 6-8
 * points of recall, whose duplicates with a replaced family name are told by their address; the one false merge
 * it prevented, a parent and child at one address, is caught by the generation veto below instead.)
 *
 * Vetoes (the decision sends the pair to review at most). For them a home is told by a family name that agrees,
 * or only sounds the same (COLINS / COLLYNS, each source's own typo: the 'phonetic' level), and a shared street or
 * phone; the weight correction above takes the first only:
 * - in a household, given names that clearly disagree or one that is missing; or given names that are
 *   similar but not the same name (a typo, or JAYDEN / JAYLEN) with the same birth date (as far as both records
 *   know it: a year-only date or a 1 January placeholder may hide a twin's) and no agreeing middle name: the
 *   twin's signature. An SSN (or other person identifier) both records carry and agree on lifts it,
 *   and so does a slip: the two given names are one edit (a substitution, an adjacent transposition, a letter
 *   dropped or doubled; in a name of four letters a substitution only between neighbouring keys: JOHN / JOHM,
 *   not MINH / MANH) or one OCR misreading apart and exactly one of them is a known given name (JENNIFER /
 *   JENNIFRE), or the vocabulary knows neither and they are one OCR misreading apart (RAVI / RAUI) or, in a
 *   name of seven letters or more, a letter added, dropped or two swapped (TEMITOPE / TEMIUTOPE). Twins are
 *   named with two real names (KAYLA / KYLA), so the vocabulary (normalize/given-names.ts) keeps them apart;
 *   without one, no slip is recognised. Two spellings of one spoken name (CATHERINE / KATHERINE, NATALIA /
 *   NATALYA) lift the veto too, unless both are known names and the birth dates agree: a feed may give twins
 *   SOPHIA and SOFIA, and only an agreeing SSN tells them from one person spelt two ways. A name cut to a
 *   field's length (CHRISTOPHE for CHRISTOPHER: a prefix of eight letters or more, sexes not disagreeing) lifts it
 *   as well. SSNs one digit apart (twins' are often consecutive) make all of these a second difference, never a
 *   slip;
 * - in a household, or at a shared home (two of street, phone and postcode), birth years ten or more apart
 *   (1958 / 1988 is one keystroke, and a father and son; a mother and her married daughter), unless the dates
 *   are one keying error apart and an SSN both carry agrees (a son's record may carry his father's SSN as the
 *   guarantor's, but not also his birthday);
 * - in a household, two real given names (both known, neither a slip of the other) with birth dates one keying
 *   error apart (a digit, two digits swapped, day and month swapped): a twin's record with its date keyed wrong;
 * - the twin's signature also with one first name and two middle names that clearly differ (JOSE LUIS / JOSE
 *   ANTONIO, MARIA JOSE / MARIA FERNANDA: twins named with one saint's or the Virgin's name and a second of
 *   their own), the same birth date and no agreeing SSN; outside a home, when both middle names are known names;
 * - the twin's signature with the same family name when neither street nor phone shows the two living apart
 *   (a lab sends neither: its record of a twin would otherwise link by name), or when both given names are
 *   known given names (adult twins live apart, and JAYDEN / JAYLEN at two addresses still score above the
 *   upper threshold): 'possible-twin'. A clearly different first name, or two known ones, is a twin's signature
 *   even when the middle names agree (twins may share one); an agreeing middle name only explains a similar
 *   first name the vocabulary does not tell apart;
 * - anywhere, SSNs that disagree outright, and generational suffixes that differ (JR / SR);
 * - anywhere, neither the given nor the family name agreeing at any level, unless the SSNs agree
 *   ('names-differ': spouses and partners at one address born days apart); or given names alike only in sound or
 *   spelling (not the same name or a nickname: JUAN / YUN, TRANG / TRAN) with family names and birth dates that
 *   disagree outright (roommates, sisters);
 * - a nickname level reached only through another name the records carry (an alias), with SSNs one digit apart
 *   and one birth date: twins (FUNMILAYO / NGOZI EZE), read as a twin's signature like two different names;
 * - the twin's signature (see above) with SSNs one digit apart, wherever the two live ('possible-twin').
 * A name keyed in the other field with the other name different (partial swap) shares the family name for
 * telling a household: at one address it is another member of it, not a typo. Names keyed the other way round
 * (reversed: NGUYEN ANH / ANH NGUYEN) share it too, and enter the household correction as the family name does:
 * a brother of the same name at the same home must not link on a name swap and the home counted three times.
 *
 * Refuted pairs. When the records' own fields say "someone else" ('names-differ'; or 'household-generation'
 * with birth dates that no keying error relates: level 'else'), the agreeing street, phone and postcode are
 * withheld from the weight (a 'household' contribution, level 'residence-withheld'): they say the two share a
 * home, which is why they were compared at all, not that they are one person. Such a pair then scores on what
 * the records say of the person, usually below the lower threshold: a parent and a child, or two partners,
 * make no review item.
 *
 * Term frequencies are smoothed towards the model's u: with c records holding the value among N,
 *   tf = (c + k·u) / (N + k)
 * with k = 10,000 pseudo-records, so a young index (a few hundred records, where one name in twenty looks
 * 'common') scores like the model until it has seen enough records to know better.
 */

import { explain, levelWeight, probabilityOf, totalWeight, type CompiledModel, type Explanation } from './fellegi-sunter.js';
import { jaroWinkler, ocrConfusionApart, oneEditApart, oneKeystrokeApart, substitutionAt } from './comparators/strings.js';
import { JW_HIGH } from './comparators/names.js';
import { dwarfed, type KnownNames } from './normalize/given-names.js';
import { C, compareVector, COMPARISON_NAMES, LEVEL_LABELS, termFrequencyKeys, type ComparisonName } from './person-comparisons.js';
import type { Person } from './person.js';

export const VETOES = ['household-given-name', 'possible-twin', 'household-generation', 'ssn-disagrees', 'suffix-differs', 'names-differ'] as const;
export type Veto = (typeof VETOES)[number];

export interface PairScore {
  weight: number;
  probability: number;
  /**
   * Prior, one contribution per comparison, and a 'household' contribution when the correction applied.
   * Built on first read (a getter).
   */
  readonly explanation: Explanation;
  household: boolean;
  vetoes: Veto[];
}

/** How many of `population` records hold a name value (term frequencies); undefined when unknown. */
export type TermCounts = (comparison: 'given_name' | 'family_name', value: string) => { count: number; population: number } | undefined;

export const TF_PSEUDO_RECORDS = 10_000;

/** A value's frequency, smoothed towards u (see above). */
export function smoothedFrequency(count: number, population: number, u: number, k = TF_PSEUDO_RECORDS): number {
  return (count + k * u) / (population + k);
}

const level = <N extends ComparisonName>(c: N, label: string): number => {
  const i = (LEVEL_LABELS[c] as readonly string[]).indexOf(label);
  if (i < 0) throw new RangeError(`comparison ${c} has no level ${label}`);
  return i;
};
const GIVEN_SAME = new Set([level('given_name', 'exact'), level('given_name', 'nickname')]);
const FAMILY_AGREE = new Set([level('family_name', 'exact'), level('family_name', 'any-part'), level('family_name', 'jw-high')]);
const STREET_AGREE = new Set([level('street', 'exact'), level('street', 'jw-high'), level('street', 'two-parts')]);
const PHONE_AGREE = new Set([level('phone', 'exact')]);
const POSTCODE_AGREE = new Set([level('postcode', 'exact'), level('postcode', 'city')]);
const SSN_ELSE = level('ssn', 'else');
const SSN_ONE_DIGIT = level('ssn', 'one-digit-or-transposition');
const FAMILY_PARTIAL_SWAP = level('family_name', 'partial-swap');
const FAMILY_PHONETIC = level('family_name', 'phonetic');
const FAMILY_REVERSED = level('family_name', 'reversed');
const FAMILY_ELSE = level('family_name', 'else');
const SSN_EXACT = level('ssn', 'exact');
const OTHER_ID_EXACT = level('other_id', 'exact');
const GIVEN_ELSE = level('given_name', 'else');
const GIVEN_ALIKE = new Set([level('given_name', 'jw-high'), level('given_name', 'phonetic')]);
const GIVEN_NICKNAME = level('given_name', 'nickname');
const MIDDLE_EXACT = level('middle_name', 'exact');
const MIDDLE_ELSE = level('middle_name', 'else');
const NULL = 0;
// The same birth date as far as both records know it: a year-only date, or a 1 January placeholder, may hide
// a twin's (comparators/dates.ts 'partial-agree').
const DOB_SAME = new Set([level('dob', 'exact'), level('dob', 'partial-agree')]);
const DOB_ELSE = level('dob', 'else');
const SEX_ELSE = level('sex', 'else');
const DOB_KEYING_ERROR = new Set([level('dob', 'one-digit'), level('dob', 'transposed-digits')]);
/** One birth date keyed wrong: a digit, two digits swapped, or day and month in each other's place. */
const DOB_MISKEYED = new Set([...DOB_KEYING_ERROR, level('dob', 'day-month-swapped')]);
const STREET_ELSE = level('street', 'else');
const PHONE_ELSE = level('phone', 'else');
const EXACT = { given_name: level('given_name', 'exact'), family_name: level('family_name', 'exact') } as const;
const GENERATION_YEARS = 10;
const ADDRESS: ReadonlyArray<readonly [number, ReadonlySet<number>]> = [
  [C.street, STREET_AGREE],
  [C.phone, PHONE_AGREE],
  [C.postcode, POSTCODE_AGREE],
];
// Names keyed the other way round (NGUYEN ANH / ANH NGUYEN) share the family name as much as names in place do.
const FAMILY_SHARED_IN_HOME = new Set([...FAMILY_AGREE, FAMILY_REVERSED]);
const RESIDENCE: ReadonlyArray<readonly [number, ReadonlySet<number>]> = [
  [C.family_name, FAMILY_SHARED_IN_HOME],
  [C.street, STREET_AGREE],
  [C.phone, PHONE_AGREE],
  [C.postcode, POSTCODE_AGREE],
];

/**
 * Frequencies for the exact name levels: when two records agree through another name variant, the larger of
 * the two frequencies is used (the more common value, the smaller the weight).
 */
function frequencies(cm: CompiledModel, a: Person, b: Person, tf: TermCounts | undefined): Array<number | undefined> | undefined {
  if (tf === undefined) return undefined;
  const ka = termFrequencyKeys(a);
  const kb = termFrequencyKeys(b);
  const out: Array<number | undefined> = new Array(COMPARISON_NAMES.length).fill(undefined);
  for (const c of TF_COMPARISONS) {
    const u = cm.u[C[c]]![EXACT[c]]!;
    const x = frequency(tf, c, ka[c], u);
    const y = frequency(tf, c, kb[c], u);
    out[C[c]] = x === undefined ? y : y === undefined ? x : Math.max(x, y);
  }
  return out;
}

// Module-level rather than a closure per pair: scoring runs this for every member of every candidate.
const TF_COMPARISONS = ['given_name', 'family_name'] as const;

function frequency(tf: TermCounts, c: (typeof TF_COMPARISONS)[number], v: string, u: number): number | undefined {
  const n = v === '' ? undefined : tf(c, v);
  return n === undefined ? undefined : smoothedFrequency(n.count, n.population, u);
}

const agreesAt = (gamma: ArrayLike<number>, i: number, set: ReadonlySet<number>) => set.has(gamma[i]!);

export function scorePair(cm: CompiledModel, a: Person, b: Person, tf?: TermCounts, known?: KnownNames): PairScore {
  const gamma = compareVector(a, b);
  const freq = frequencies(cm, a, b, tf);
  // A partial swap (YOO-JIN KIM / KIM LINDSEY: one name keyed in the other field, the other name different)
  // shares the family name all the same: at one address it is another member of the household.
  // So do names keyed the other way round (NGUYEN ANH / ANH NGUYEN): a name swap must not hide a household.
  const familyShared = agreesAt(gamma, C.family_name, FAMILY_SHARED_IN_HOME) || gamma[C.family_name] === FAMILY_PARTIAL_SWAP;
  const livesWith = agreesAt(gamma, C.street, STREET_AGREE) || agreesAt(gamma, C.phone, PHONE_AGREE);
  const household = familyShared && livesWith;
  // Who in a home a record is: a family name spelt differently on each side but sounding the same (COLINS /
  // COLLYNS) is still the family's, so the vetoes read it as shared; the weights keep it out of the correction.
  const familyAlike = familyShared || gamma[C.family_name] === FAMILY_PHONETIC;
  const sameHome = familyAlike && livesWith;

  const vetoes: Veto[] = [];
  // Which household member is this? A given name that clearly disagrees (or is missing) leaves it open. A
  // similar one (JAYDEN / JAYLEN; not a keystroke slip) leaves it open only with the twin's signature, the same
  // birth date (see below for the middle name). An SSN both records carry and agree on settles it either way.
  // With the names reversed the given_name comparison is null (family_name's level carries both names, each at
  // jw-high or better). Which of the two is the given name is not known (GREENN HATTIE / HATTIE GREEN: a typo in
  // the family name, or another given name?), so a reversal counts as the same given name: the household
  // correction still keeps a brother of the same name born years apart out (NGUYEN ANH / ANH NGUYEN), and
  // twins named alike of whom one record is reversed are left to that rare coincidence.
  const g = gamma[C.family_name] === FAMILY_REVERSED ? EXACT.given_name : gamma[C.given_name]!;
  const ssnAgrees = gamma[C.ssn] === SSN_EXACT || gamma[C.other_id] === OTHER_ID_EXACT;
  // Twins' SSNs are often consecutive (issued together at birth): with the twin's signature, SSNs one digit
  // apart are a second difference, not a second typo, so neither name rule below explains the given names away.
  const ssnOneDigit = gamma[C.ssn] === SSN_ONE_DIGIT;
  const dobSame = DOB_SAME.has(gamma[C.dob]!);
  const sexAgrees = gamma[C.sex] !== SEX_ELSE;
  // Whether the given names may differ at all: the rules below read the names only then (most pairs scored are
  // strangers or the same name, and this runs for every member of every candidate).
  // Two short forms of one name, spelt alike, both names people are registered under and of one order (ELLA /
  // ELLIE, both of HELEN): with one birth date, twins' two names as much as one person's two forms, as two known
  // names spoken alike are (below).
  const nicknamesAlike = g === GIVEN_NICKNAME && dobSame && known !== undefined && spelledAlike(a, b) && siblingForms(a, b) && twoRealNames(a.given, b.given, known, sexAgrees);
  // A nickname a boy and a girl of one birth date can share (SANDY for ALEXANDER and for his twin ALEXANDRA) says
  // nothing of which of the two a record is: one person's would need the sex keyed wrong as well.
  const nicknameAcrossSexes = g === GIVEN_NICKNAME && !sexAgrees && dobSame;
  // SSNs one digit apart (issued together) with one birth date, and first names related only through another
  // name a record carries (an alias, a second name: FUNMILAYO and NGOZI EZE, twins), are twins' records, not one
  // person's: that person's would need an SSN keyed wrong as well. First names that are forms of each other
  // (KATHERINE / KATIE) are one person's nickname with an SSN typo far more often.
  const nicknameConsecutiveSsn = g === GIVEN_NICKNAME && ssnOneDigit && dobSame && !firstNamesShareForm(a, b);
  const mayDiffer = (!GIVEN_SAME.has(g) || nicknamesAlike || nicknameAcrossSexes || nicknameConsecutiveSsn) && !ssnAgrees && (sameHome || dobSame);
  const twoKnownNames = mayDiffer && known !== undefined && twoRealNames(a.given, b.given, known, sexAgrees);
  // Only the household and twin vetoes read it: the slip is looked for only where one of them could apply.
  // Two known names spoken alike (SOPHIA / SOFIA) with one birth date are left to a steward: a feed may well
  // give twins both, and only an agreeing SSN tells them from one person's name spelt two ways.
  const givenDiffers =
    mayDiffer &&
    // A letter added at the end of a boy's name is his twin sister's (ADAM / ADAMA, PAUL / PAULA; the girl's name
    // may be unknown to the vocabulary, and would then pass for a slip of his): not a slip when the sexes disagree.
    // A slip inside the name stays one (MATTOE for MATTIE, with the sex keyed wrong too).
    !(known !== undefined && !ssnOneDigit && (sexAgrees || !oneLetterLonger(a.given, b.given)) && keystrokeSlip(a, b, known, sexAgrees)) &&
    !(known !== undefined && !ssnOneDigit && sexAgrees && GIVEN_ALIKE.has(g) && rareSpelling(a.given, b.given, known)) &&
    !(!ssnOneDigit && !(twoKnownNames && dobSame) && spokenAlike(a, b)) &&
    !(!ssnOneDigit && sexAgrees && cutShort(a, b, known));
  const clearlyDiffers = givenDiffers && (g === GIVEN_ELSE || g === NULL);
  // An agreeing middle name says a similar first name is a variant of the same person's (JON PAUL / JOHN PAUL);
  // it says nothing of a first name that clearly differs, or of two names both known to be real (twins may
  // share a middle name: SHIRLEY ANN / SCOTT ANN, AIDEN LEE / JADEN LEE).
  // Twins named with one first name and two second names (JOSE LUIS / JOSE ANTONIO, MARIA JOSE / MARIA FERNANDA):
  // the same first name, middle names that clearly differ (not an initial of the other), one birth date.
  // (The given names themselves, not a reversal read as the same given name: the middle names of a reversed
  // record are parts of its family name.)
  const secondNamesDiffer = gamma[C.given_name] === EXACT.given_name && gamma[C.middle_name] === MIDDLE_ELSE && dobSame && !ssnAgrees;
  const twoKnownSecondNames = secondNamesDiffer && known !== undefined && knownMiddleNames(a, b, known);
  // Two real names (JAYDEN / JAYLEN) at one home with birth dates one keying error apart: one person's record would
  // need a slip landing on another real name and a date keyed wrong; a twin's only the date.
  const twinMiskeyed = givenDiffers && sameHome && twoKnownNames && DOB_MISKEYED.has(gamma[C.dob]!);
  const twinSignature = (givenDiffers && dobSame && (gamma[C.middle_name] !== MIDDLE_EXACT || clearlyDiffers || twoKnownNames)) || secondNamesDiffer || twinMiskeyed;
  if (sameHome && (clearlyDiffers || twinSignature)) vetoes.push('household-given-name');
  // Twins again, outside one home: same family name and birth date, given names not the same name, and either
  // nothing that says they live apart (a lab sends no address or phone) or two real given names (adult twins
  // live apart: JAYDEN and JAYLEN at two addresses are still two people, and the names alone outweigh the
  // addresses in the score).
  // Twins' SSNs are often consecutive (issued together at birth): one digit apart is then their signature, not
  // a typo, and must not carry the pair across (+11.6 bits in the default model). So is a boy and a girl (ADAM /
  // ADAMA ALI at two addresses): one person's record would need its sex and its given name keyed wrong at once.
  else if (
    twinSignature &&
    (agreesAt(gamma, C.family_name, FAMILY_SHARED_IN_HOME) || gamma[C.family_name] === FAMILY_PHONETIC) &&
    (!(gamma[C.street] === STREET_ELSE || gamma[C.phone] === PHONE_ELSE) || twoKnownNames || twoKnownSecondNames || ssnOneDigit || !sexAgrees)
  ) {
    vetoes.push('possible-twin');
  }
  // A generation apart under one roof is a parent and a child, whatever their family names (a mother and her
  // married daughter of the same first name): the shared address must not carry the pair over the threshold.
  // A keying error in the year (1958 / 1988) with an SSN both records carry and agree on is one person's record
  // mistyped: a parent and a child born on the same day and month share no SSN.
  const yearTypo = DOB_KEYING_ERROR.has(gamma[C.dob]!) && ssnAgrees;
  if (a.dob !== null && b.dob !== null && Math.abs(a.dob.y - b.dob.y) >= GENERATION_YEARS && (sameHome || sharedAddress(gamma)) && !yearTypo) vetoes.push('household-generation');
  if (gamma[C.ssn] === SSN_ELSE) vetoes.push('ssn-disagrees');
  // Neither name agrees at all: whatever else does (a shared home, a birth date days apart, a middle name that is
  // the other's family name), two people who share a life are not one person by score. An agreeing SSN is the
  // exception (a legal change of both names).
  // A first name that is not the same name (JUAN / YUN, TRANG / TRAN: alike in sound or spelling only) agrees no
  // better when the birth dates disagree outright too: roommates, not one person.
  const givenApart = g === GIVEN_ELSE || (!GIVEN_SAME.has(g) && g !== NULL && gamma[C.dob] === DOB_ELSE);
  if (givenApart && gamma[C.family_name] === FAMILY_ELSE && !ssnAgrees) vetoes.push('names-differ');
  if (suffixesDiffer(a, b)) vetoes.push('suffix-differs');

  // The weight without building the explanation: most pairs scored are never shown to anyone, and the
  // explanation's objects cost as much as the comparisons.
  let weight = totalWeight(cm, gamma, freq);
  let adjustment = 0;
  // Two people whose own fields say "someone else" (neither name agrees; or a generation apart in birth year
  // that no keying error explains) share a home, not an identity: the home is withheld from the score, which
  // then rests on what the records say of the person, and no steward is asked about a parent and a child.
  const refuted = vetoes.includes('names-differ') || (vetoes.includes('household-generation') && gamma[C.dob] === DOB_ELSE);
  if (refuted) {
    for (const [i, set] of ADDRESS) if (agreesAt(gamma, i, set)) adjustment -= levelWeight(cm, i, gamma[i]!, freq?.[i]);
    weight += adjustment;
  } else if (household) {
    let sum = 0;
    let logM = 0;
    let minU = 1;
    for (const [i, set] of RESIDENCE) {
      if (!agreesAt(gamma, i, set)) continue;
      const level = gamma[i]!;
      const t = levelWeight(cm, i, level, freq?.[i]);
      const m = cm.m[i]![level]!;
      sum += t;
      logM += Math.log2(m);
      minU = Math.min(minU, m / 2 ** t);
    }
    adjustment = Math.min(0, logM - Math.log2(minU) - sum);
    weight += adjustment;
  }

  const probability = probabilityOf(weight);
  let explanation: Explanation | undefined;
  return {
    weight,
    probability,
    get explanation() {
      if (explanation === undefined) {
        const ex = explain(cm, gamma, freq);
        const contributions = [...ex.contributions];
        if (adjustment < 0) contributions.push({ comparison: 'household', level: refuted ? 'residence-withheld' : 'shared-residence', levelIndex: -1, weight: adjustment, tfAdjustment: 0 });
        explanation = { ...ex, contributions, weight, probability };
      }
      return explanation;
    },
    household,
    vetoes,
  };
}

/**
 * The vetoes of a pair that still hold when another member of the same golden record resembles the record
 * better. A golden record is scored by its best member, but one member that says "a different person" must
 * not be outvoted by another that merely resembles the record: BELLA (a nickname of both twins) must not carry
 * ISABELLA into the golden record where ISABEL's own record says "twin". A different SSN, suffix or generation
 * always holds; a given-name veto holds when both names are known given names, neither the same name nor a
 * nickname of the other (two real names), and not when one side is a form the vocabulary does not know (a
 * typo or a rare nickname: WILLAM against BILLY), which the best member has already explained. Without a
 * vocabulary every veto holds.
 */
export function firmVetoes(s: PairScore, a: Person, b: Person, known?: KnownNames): Veto[] {
  if (known === undefined) return s.vetoes;
  return s.vetoes.filter((v) => (v !== 'household-given-name' && v !== 'possible-twin') || (known.has(a.given) && known.has(b.given)));
}

/** Both records' first middle names are given names the vocabulary knows (LUIS, ANTONIO): two second names, not a slip. */
function knownMiddleNames(a: Person, b: Person, known: KnownNames): boolean {
  const x = a.names[0]?.middle[0];
  const y = b.names[0]?.middle[0];
  return x !== undefined && y !== undefined && known.has(x) && known.has(y);
}

/** Two of street, phone and postcode agree: one home, whoever lives there. */
function sharedAddress(gamma: ArrayLike<number>): boolean {
  let n = 0;
  for (const [i, set] of ADDRESS) if (agreesAt(gamma, i, set)) n++;
  return n >= 2;
}

/**
 * One of two given names that sound or are spelt alike (the jw-high or phonetic level) is a spelling fifty times
 * rarer than the other (NANCIE / NANCY ×305: normalize/given-names.ts dwarfed): the person's name spelt oddly,
 * however many letters apart, as a rare spelling one slip away already is (keystrokeSlip). Twins' names so
 * alike are of one order (KAYLA / KYLA 9, AIDEN / ADEN 10, EMILY / EMILIA 29); scorePair asks it only between
 * records whose sex does not disagree (JUN / JUAN).
 */
export function rareSpelling(x: string, y: string, known: KnownNames): boolean {
  return x !== y && (dwarfed(known, x, y) || dwarfed(known, y, x));
}

/**
 * Neither first given name is a form of the other, they end differently and are more than one edit apart: two
 * short forms of one name (ELLA, ELLIE of HELEN), not two spellings of it (MOHAMED, MOHAMMED of MUHAMMAD; JENNY,
 * JENNI).
 */
function siblingForms(a: Person, b: Person): boolean {
  const na = a.names[0];
  const nb = b.names[0];
  if (na === undefined || nb === undefined || na.givenNicknames.includes(b.given) || nb.givenNicknames.includes(a.given)) return false;
  return a.given.charAt(a.given.length - 1) !== b.given.charAt(b.given.length - 1) && !oneEditApart(a.given, b.given);
}

/** The first given names are forms of one name by the nickname tables (KATIE and KATHERINE, BILL and WILLIAM). */
function firstNamesShareForm(a: Person, b: Person): boolean {
  const x = a.names[0]?.givenNicknames ?? [];
  const y = b.names[0]?.givenNicknames ?? [];
  return x.some((f) => y.includes(f));
}

/** One name is the other with one letter added at its end (ADAM / ADAMA, LOUIS / LOUISE). */
function oneLetterLonger(x: string, y: string): boolean {
  const [s, l] = x.length < y.length ? [x, y] : [y, x];
  return s.length > 0 && l.length === s.length + 1 && l.startsWith(s);
}

/** The first given names are spelt alike (Jaro-Winkler JW_HIGH) or share a phonetic code. */
function spelledAlike(a: Person, b: Person): boolean {
  if (a.given === '' || b.given === '' || a.given === b.given) return false;
  const na = a.names[0];
  const nb = b.names[0];
  return jaroWinkler(a.given, b.given) >= JW_HIGH || (na !== undefined && nb !== undefined && na.givenCodes.some((c) => nb.givenCodes.includes(c)));
}

/**
 * Both given names are real ones by the vocabulary: known, and neither a rare spelling dwarfed by the other
 * (normalize/given-names.ts dwarfed: JENIFER beside JENNIFER is where its slips land). Records whose sexes
 * disagree are taken at their word: DANIEL / DANIELA are a boy and a girl, however rare the one.
 */
function twoRealNames(x: string, y: string, known: KnownNames, sexAgrees: boolean): boolean {
  return known.has(x) && known.has(y) && !(sexAgrees && (dwarfed(known, x, y) || dwarfed(known, y, x)));
}

/**
 * Some given name of one record is a slip of one of the other's, at least three letters each and four in the
 * longer: one edit apart (Damerau-Levenshtein 1) or one OCR misreading apart (STANISLAW / STANISLAVV:
 * comparators/strings.ts ocrConfusionApart) with exactly one of the two a known name (JENNIFER / JENNIFRE; a
 * known spelling fifty times rarer than the other, JASEN / JASON, counts as unknown unless the sexes disagree),
 * or, when the vocabulary knows neither, one OCR misreading apart (RAVI / RAUI). A keystroke between two
 * unknown names is not enough: MINJI / MINJU are one key apart and could be twins' names, and the vocabulary is
 * thinnest for the names of the populations it would then misjudge.
 */
export function keystrokeSlip(a: Person, b: Person, known: KnownNames, sexAgrees = true): boolean {
  for (const x of a.names) {
    for (const y of b.names) {
      const gx = x.given;
      const gy = y.given;
      if (gx === gy || Math.min(gx.length, gy.length) < 3 || Math.max(gx.length, gy.length) < 4) continue;
      // A known spelling dwarfed by the other name (JASEN / JASON) is where its slips land, and counts as unknown.
      const kx = known.has(gx) && !(sexAgrees && dwarfed(known, gx, gy));
      const ky = known.has(gy) && !(sexAgrees && dwarfed(known, gy, gx));
      // In a name of four letters one substitution is a quarter of it: only a neighbouring key is a slip there
      // (JOHN / JOHM), not another vowel (MINH / MANH, two Vietnamese names).
      const edit = Math.max(gx.length, gy.length) <= 4 ? oneKeystrokeApart(gx, gy) : oneEditApart(gx, gy);
      if (kx !== ky ? edit || ocrConfusionApart(gx, gy) : !kx && (ocrConfusionApart(gx, gy) || longNameSlip(gx, gy))) return true;
    }
  }
  return false;
}

/** From this many letters, two neighbouring letters swapped between two names the vocabulary does not know is a slip. */
export const SWAP_SLIP_MIN = 5;

/**
 * Between two names the vocabulary does not know, a letter added, dropped or two swapped in a long name
 * (TEMITOPE / TEMIUTOPE, OLUWASEUN / OLUWASUEN: seven letters or more) is a slip; a letter for another is not
 * (CHIDINMA / CHIDIMMA are two Igbo names). So are two letters swapped in a name of SWAP_SLIP_MIN letters or more
 * (RAJESH / RAJSEH, EUNJI / EUNIJ): a name with two of its letters swapped is almost never another name, while a
 * letter added or dropped in a short name often is (EUNJI / EUNJIN, AMAN / AMANI).
 */
function longNameSlip(x: string, y: string): boolean {
  if (!oneEditApart(x, y) || substitutionAt(x, y) >= 0) return false;
  const n = Math.max(x.length, y.length);
  return n >= 7 || (x.length === y.length && n >= SWAP_SLIP_MIN);
}

/**
 * Some given name of one record is another spelling of one of the other's (CATHERINE / KATHERINE, NATALIA /
 * NATALYA: comparators/names.ts sameSpokenName, on the skeletons normalizePerson keeps). Parents do not give
 * twins two names that sound alike; scorePair still asks a steward when both are known names with one birth
 * date, since a synthetic or a careless feed may.
 */
export function spokenAlike(a: Person, b: Person): boolean {
  // The skeletons are computed once per person (person.ts givenSpoken), not once per pair.
  for (const x of a.names) for (const y of b.names) if (x.givenSpoken !== '' && x.givenSpoken === y.givenSpoken && x.given !== y.given) return true;
  return false;
}

/** Names cut to a field's length keep this many letters at least (CHRISTOPHE for CHRISTOPHER: ten). */
export const CUT_NAME_MIN = 8;
/** A known name cut to fewer letters than that, to a form no one is named, keeps at least this many (JUL for JULIE). */
export const CUT_TO_UNKNOWN_MIN = 3;

/**
 * Some given name of one record is the other's cut short, as a system with a short name field stores it
 * (CHRISTOPHER → CHRISTOPHE, MAXIMILIAN → MAXIMILI): a prefix of at least CUT_NAME_MIN letters. Shorter prefixes
 * are names of their own (JOSEPH / JOSEPHINE, DANIEL / DANIELLE), unless the vocabulary knows the longer name
 * and not the prefix (JULIE → JUL, MANUEL → MAN, SARAH → SAR: three letters at least), which no twin is named.
 * scorePair takes a cut only between records whose sex does not disagree (FREDERICK / FREDERICKA).
 */
export function cutShort(a: Person, b: Person, known?: KnownNames): boolean {
  for (const x of a.names) {
    for (const y of b.names) {
      const [s, l] = x.given.length <= y.given.length ? [x.given, y.given] : [y.given, x.given];
      if (s.length >= l.length || !l.startsWith(s)) continue;
      if (s.length >= CUT_NAME_MIN) return true;
      if (known !== undefined && s.length >= CUT_TO_UNKNOWN_MIN && known.has(l) && !known.has(s)) return true;
    }
  }
  return false;
}

/** Both records name a generational suffix and no pair of their names shares one. */
function suffixesDiffer(a: Person, b: Person): boolean {
  const sa = a.names.map((n) => n.suffix).filter((s) => s !== undefined);
  const sb = b.names.map((n) => n.suffix).filter((s) => s !== undefined);
  return sa.length > 0 && sb.length > 0 && !sa.some((s) => sb.includes(s));
}
