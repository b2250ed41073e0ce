/**
 * A second, independently designed synthetic population and multi-sender HL7 v2 ADT feed with ground truth,
 * for checking the matcher against over-tuning to bench/adt-population.ts. It fills the same `Population`
 * shape (so bench/adt-quality.ts scores it unchanged: `--generator alt`) but shares none of that generator's
 * logic: its own PRNG, name tables, places, household model, hard cases, senders and error model.
 *
 * Pure and deterministic: the same options give the same persons, records and messages, byte for byte.
 * No I/O: nickname pairs are passed in (fixtures/names/nicknames.csv); everything else is embedded.
 *
 * What is different from the default generator, on purpose:
 *   - Place: the Houston area (TX), with apartment complexes shared by unrelated households, ZIP+4, directional
 *     and numbered streets, USPS abbreviations or words depending on the sender.
 *   - Names: ten origins with their own family and given-name tables and frequencies (Anglo, Irish, African
 *     American, Hispanic with two surnames, Vietnamese, Chinese, Korean, South Asian, Arabic, Eastern European),
 *     so that NGUYEN, PATEL, GARCIA, SMITH are really common and most given names of the non-Anglo origins are
 *     outside the matcher's vocabularies (US pseudopeople names, Australian FEBRL names). Vietnamese middle names
 *     (VAN / THI), Hispanic second given names (MARIA GUADALUPE) and surnames (GARCIA LOPEZ, GARCIA-LOPEZ),
 *     Korean hyphenated given names (MIN-JUN), Slavic female surname forms (KOWALSKA), particles (AL-SAYED,
 *     O'BRIEN, DE LA CRUZ). Some immigrants' true birth date is the 1st of January (assigned at entry).
 *   - Errors, per sender: keyboard typos (with insertions), OCR confusions (RN/M, CL/D, O/0, I/L), phonetic
 *     misspellings (PH/F, CK/K, double letters, Z/S, V/B, known spelling variants DESHAWN/DASHAWN), given and
 *     family entered in each other's fields, compound surname truncated or its hyphen added/removed/joined,
 *     particles and apostrophes dropped, transliteration variants (MOHAMMED/MUHAMMAD, CHOI/CHOY), middle name
 *     folded into the given name (MARY ANN / MARYANN, VAN ANH), Korean/Chinese given names joined or split,
 *     nicknames (the table passed in, and culture-specific ones the table lacks: PEPE, LUPE, SASHA), adopted
 *     English names, diacritics (UTF-8 sender), day/month swap, one wrong digit, year off by one, 1 January
 *     placeholders, sex missing or wrong, address words vs abbreviations, apartment in line 1 or line 2, ZIP
 *     missing or ZIP+4, phone missing or the work phone typed as home, SSN missing, one digit wrong, a
 *     placeholder (999-99-9999, 000-00-0000, 123-45-6789), or a parent's (guarantor) SSN on a child's record.
 *     Updates may correct the typos and DOB errors of a registration, bring a move or a new family name.
 *   - Hard cases with ground truth: twins (same DOB, family name and address; same-initial, similar, opposite
 *     sex nickname-related ALEXANDER/ALEXANDRA, HASSAN/HUSSEIN), a few adult twins living apart, juniors/seniors,
 *     mothers and daughters with the same given name, siblings about a year apart with similar names, clusters
 *     of distinct people with a very common name born in the same decade (MARIA GARCIA, NGUYEN VAN ANH,
 *     MOHAMMED KHAN…), married-name changes during the feed, household moves.
 *   - Same-sender duplicates are rare (capped at 1 % of the persons a sender is expected to know) and about 70 %
 *     are merged by A40 (each sender's A40 share met by quota).
 *
 * Labels beyond the default generator's: `SourceRecordTruth.variations` and `Person.tags` carry extra strings
 * (e.g. `name-swap`, `compound-truncated`, `translit`, `origin-vietnamese`, `mother-daughter`); they are cast to
 * the `Variation` / `PersonTag` types, which are closed unions in adt-population.ts, and the quality bench only
 * uses them as `recallBy` keys.
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

export interface AltPopulationOptions {
  seed: number;
  persons: number;
  /** [formal, nickname] pairs (fixtures/names/nicknames.csv); a small embedded list is used when absent. */
  nicknames?: ReadonlyArray<readonly [string, string]>;
}

// ============================================================================================== PRNG

/** 32-bit finaliser (a lowbias32-style mix). */
function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x21f0aaad) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x735a2d97) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

/** A seed derived from several integers (stream separation: one stream per person, per record, per field). */
function derive(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) h = mix32((h ^ mix32((p >>> 0) ^ 0x3c6ef372)) + 0x9e3779b9);
  return h >>> 0;
}

/** Small fast chaotic generator (SFC32), seeded through `mix32`. */
class Rand {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = mix32(seed ^ 0xa5a5a5a5);
    this.b = mix32(seed + 0x1234567);
    this.c = mix32(seed ^ 0xdeadbeef);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  bool(p: number): boolean {
    return p > 0 && this.float() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from an empty list');
    return xs[Math.floor(this.float() * xs.length)]!;
  }
  /** Entry of a weighted table. */
  draw<T>(t: Weighted<T>): T {
    const x = this.float() * t.total;
    let lo = 0;
    let hi = t.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return t.items[lo]!;
  }
  child(...parts: number[]): Rand {
    return new Rand(derive(this.u32(), ...parts));
  }
}

interface Weighted<T> {
  items: T[];
  cum: number[];
  total: number;
}

function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  const items: T[] = [];
  const cum: number[] = [];
  let total = 0;
  for (const [item, w] of entries) {
    if (w <= 0) continue;
    total += w;
    items.push(item);
    cum.push(total);
  }
  return { items, cum, total };
}

/** `'SMITH 100 DE_LA_CRUZ 5'` → weighted table (underscore = space). */
function table(spec: string): Weighted<string> {
  const toks = spec.trim().split(/\s+/);
  const out: Array<[string, number]> = [];
  for (let i = 0; i < toks.length; i += 2) out.push([toks[i]!.replace(/_/g, ' '), Number(toks[i + 1])]);
  return weighted(out);
}

/** `'ANN MARIE LYNN'` → uniform table. */
const flat = (spec: string) => weighted(spec.trim().split(/\s+/).map((n) => [n.replace(/_/g, ' '), 1] as const));

function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ============================================================================================== names

type OriginKey = 'anglo' | 'irish' | 'afam' | 'hispanic' | 'vietnamese' | 'chinese' | 'korean' | 'southasian' | 'arabic' | 'easteuro';
type Cohort = 'old' | 'mid' | 'young';

interface Origin {
  key: OriginKey;
  share: number;
  family: Weighted<string>;
  given: Record<Sex, Record<Cohort, Weighted<string>>>;
  middle: Record<Sex, Weighted<string>>;
  /** Probability that a person has a middle name. */
  middleRate: number;
  /** Share of people born abroad among adults (SSN less often, 1 January birth dates). */
  immigrant: number;
  /** Share of the second generation given an English name instead. */
  westernGiven: number;
  /** Wives take the husband's family name with this probability. */
  takesName: number;
  /** Names written family first at home (swap errors more likely). */
  familyFirst: boolean;
}

const c3 = (old: string, mid: string, young: string) => ({ old: table(old), mid: table(mid), young: table(young) });

const ANGLO_M = c3(
  'JAMES 40 ROBERT 40 JOHN 38 WILLIAM 30 RICHARD 28 CHARLES 25 DONALD 22 GEORGE 18 THOMAS 20 RONALD 18 KENNETH 15 LARRY 14 GARY 14 DENNIS 10 HAROLD 8 WALTER 8 RAYMOND 9 ROGER 8 FRANK 9 EUGENE 5 GERALD 7 CARL 6 RALPH 5 WAYNE 5 BILLY 4 DALE 4 VERNON 3',
  'MICHAEL 45 CHRISTOPHER 35 DAVID 30 JASON 25 MATTHEW 25 JOSHUA 20 DANIEL 20 BRIAN 18 ANDREW 14 KEVIN 14 JEFFREY 12 ERIC 12 STEVEN 12 RYAN 12 TIMOTHY 10 SCOTT 10 JUSTIN 10 BRANDON 10 JEREMY 8 TRAVIS 6 SEAN 6 DUSTIN 5 CHAD 5 CORY 5 SHAWN 5 BRADLEY 5 DEREK 5 PHILLIP 4 STEPHEN 6 JONATHAN 8',
  'LIAM 20 NOAH 20 ETHAN 18 MASON 15 LOGAN 14 JACKSON 12 AIDEN 12 CALEB 10 WYATT 10 OWEN 10 HUNTER 8 CONNOR 8 CARTER 8 LANDON 8 GAVIN 6 COLTON 6 BRAYDEN 6 GRAYSON 6 EASTON 5 HUDSON 5 BENTLEY 4 ASHER 4 JAXON 4 MAVERICK 3 KAYDEN 3 BRANTLEY 3 RHETT 3 TUCKER 3 BECKETT 3 CHASE 4',
);
const ANGLO_F = c3(
  'MARY 40 PATRICIA 30 LINDA 28 BARBARA 25 ELIZABETH 20 SUSAN 20 KAREN 18 NANCY 15 DOROTHY 12 BETTY 12 DONNA 12 CAROL 12 DEBORAH 12 SHARON 10 JUDITH 8 JANET 8 DIANE 8 BEVERLY 6 JOYCE 6 PEGGY 5 BONNIE 5 GLORIA 5 MARILYN 5 JUDY 4 SHIRLEY 6 BRENDA 7',
  'JENNIFER 40 JESSICA 30 AMANDA 25 ASHLEY 25 SARAH 22 MELISSA 20 STEPHANIE 18 NICOLE 18 HEATHER 15 ELIZABETH 15 MICHELLE 15 AMY 14 ANGELA 14 KIMBERLY 14 LAURA 10 MEGAN 10 BRITTANY 10 CRYSTAL 8 TIFFANY 8 APRIL 6 KRISTEN 6 COURTNEY 6 LINDSEY 5 MISTY 4 KATHERINE 6 CATHERINE 4 KATHRYN 4',
  'OLIVIA 20 EMMA 20 AVA 15 SOPHIA 15 HARPER 10 EVELYN 10 ABIGAIL 10 MADISON 10 ELLA 8 AVERY 8 SCARLETT 7 CHLOE 7 ADDISON 6 BROOKLYN 6 RILEY 6 KAYLEE 5 ZOEY 5 PAISLEY 4 KINSLEY 4 MACKENZIE 4 AUBREY 4 AUBREE 3 MCKENZIE 3 KAYLEIGH 2 OAKLEY 2 HAILEY 5',
);
const IRISH_M = c3(
  'PATRICK 20 MICHAEL 20 JOHN 18 THOMAS 12 JAMES 10 KEVIN 8 BRENDAN 6 DERMOT 4 DENIS 4 FRANCIS 6',
  'SEAN 20 PATRICK 15 KEVIN 12 BRENDAN 10 CONOR 8 DECLAN 6 COLM 4 EOIN 4 CIARAN 5 SHANE 6 BRIAN 8',
  'LIAM 20 CONOR 12 CIARAN 6 DECLAN 8 RONAN 8 FINN 10 CILLIAN 4 OISIN 3 EOIN 4 SEAMUS 3 AIDAN 8',
);
const IRISH_F = c3(
  'MARY 20 KATHLEEN 15 MAUREEN 15 EILEEN 12 BRIDGET 10 NORA 6 MARGARET 10 ANNE 8 SHEILA 6',
  'SIOBHAN 12 COLLEEN 12 KATHLEEN 8 MAUREEN 4 ERIN 12 SINEAD 6 ORLA 4 BRIDGET 6 MEGAN 10 SHANNON 10',
  'AOIFE 10 NIAMH 8 MAEVE 10 ROISIN 5 CAOIMHE 4 ORLA 5 SAOIRSE 4 KEIRA 6 RIONA 3 CLODAGH 2',
);
const AFAM_M = c3(
  'WILLIE 20 JAMES 18 CHARLES 12 EARL 10 LEROY 8 CLARENCE 8 OTIS 6 ROOSEVELT 4 HENRY 8 ALVIN 6 CURTIS 6 HERMAN 5',
  'DARNELL 10 TYRONE 10 JAMAL 12 MARCUS 14 ANDRE 10 REGINALD 8 CEDRIC 8 DEMETRIUS 8 TERRELL 8 MARQUIS 6 DESHAWN 8 ANTWAN 6 LAMAR 6 DEANDRE 6 KENDRICK 5 JERMAINE 8',
  'JALEN 10 DAQUAN 6 KEYSHAWN 5 MALIK 8 ISAIAH 10 JAYLEN 8 CAMERON 8 ELIJAH 10 JOSIAH 8 DARIUS 6 ZION 6 AMARI 6 KAMARI 4 JAYCEON 3 TREVON 4 JABARI 3',
);
const AFAM_F = c3(
  'MAE 10 ANNIE 12 LOUISE 8 BERNICE 8 GLADYS 6 ETHEL 6 ALBERTA 4 WILLIE 3 HATTIE 5 MATTIE 5 LOIS 5 ROSETTA 3',
  'LATOYA 12 TAMIKA 10 KEISHA 10 LAKEISHA 6 SHANICE 6 EBONY 10 TANISHA 8 SHANIQUA 4 YOLANDA 8 FELICIA 8 TASHA 6 MONIQUE 8 DOMINIQUE 6 LATASHA 6 TAMEKA 4',
  'AALIYAH 10 IMANI 8 JASMINE 10 DESTINY 8 NIA 6 KIARA 6 TIARA 5 JADA 8 ZARIA 4 AMIRAH 4 NEVAEH 6 SKYLAR 5 JAYLA 6 ARIANA 5 KENNEDI 3',
);
const HISP_M = c3(
  'JOSE 40 JUAN 30 JESUS 18 MANUEL 14 FRANCISCO 14 ANTONIO 14 PEDRO 10 RAMON 8 RAFAEL 8 ROBERTO 10 ARMANDO 6 RAUL 8 GUILLERMO 5 IGNACIO 4 SALVADOR 5 ALFREDO 5',
  'JOSE 30 JUAN 20 LUIS 25 CARLOS 25 JORGE 15 MIGUEL 15 ALEJANDRO 10 RICARDO 8 FERNANDO 8 JAVIER 8 EDUARDO 7 SERGIO 6 OSCAR 6 VICTOR 6 HECTOR 5 MARIO 5 ALBERTO 6',
  'SANTIAGO 8 MATEO 8 DIEGO 6 ANGEL 8 ADRIAN 6 EMILIANO 4 SEBASTIAN 6 JULIAN 4 ISAAC 4 GAEL 3 LEONARDO 5 JESUS 4 JOSE 6 LUIS 5 CARLOS 4 ANDRES 4',
);
const HISP_F = c3(
  'MARIA 60 GUADALUPE 10 ROSA 10 CARMEN 10 JUANA 6 ELENA 5 MARTHA 8 TERESA 6 JOSEFINA 5 DOLORES 4 ESPERANZA 4 CONSUELO 3',
  'MARIA 40 ANA 12 VERONICA 8 ALEJANDRA 6 GABRIELA 6 YESENIA 5 ARACELI 3 MARISOL 4 BEATRIZ 4 LETICIA 5 XIOMARA 2 ADRIANA 6 CLAUDIA 6 SANDRA 5 LORENA 4',
  'SOFIA 10 VALENTINA 8 XIMENA 6 CAMILA 8 VALERIA 6 RENATA 3 ISABELLA 6 NATALIA 5 MIA 5 DANIELA 6 MARIA 6 GENESIS 4 ARIANA 4 LUCIA 4 ANDREA 4',
);
const VIET_M = c3(
  'HUNG 15 DUNG 10 THANH 15 HAI 10 LONG 10 NAM 12 QUANG 8 TUAN 12 MINH 15 SON 6 PHUC 5 THUAN 4 DUC 8',
  'ANH 20 MINH 20 TUAN 15 THANH 12 KHANH 8 HIEU 8 TRUNG 10 DUC 10 VINH 6 TAI 5 HUY 10 BAO 8 KHOA 8 PHONG 6 LOC 5',
  'BAO 10 KHOA 10 HUY 10 MINH 10 AN 8 KHANG 6 PHUC 6 NHAT 5 DUY 6 QUAN 5 TRI 5 THIEN 4',
);
const VIET_F = c3(
  'HOA 12 LAN 12 MAI 12 HUONG 12 DUNG 5 HANG 8 THU 8 CUC 4 NGA 6 LIEN 6 HONG 6 XUAN 5 TUYET 4',
  'ANH 15 LINH 15 HUONG 10 NGOC 10 THAO 10 TRANG 10 PHUONG 10 THUY 10 HANG 6 TRAM 6 QUYNH 6 UYEN 5 NHUNG 5 DIEM 4',
  'VY 10 NHU 8 NGAN 6 KHANH 6 LINH 8 TRANG 5 QUYNH 5 UYEN 5 TAM 4 THAO 5 AN 6 MY 5',
);
const CN_M = c3(
  'JIAN-GUO 8 WEI 12 MING 10 YONG 8 QIANG 6 JUN 8 HUA 6 GANG 5 LI 5 BO 4 KWOK 4 WING 4',
  'WEI 15 JUN 10 LEI 8 HAO 8 JIAN 8 MING 8 TAO 6 ZHI-WEI 6 XIAO-MING 5 PENG 5 YU 5 KAI 4 CHUN 4',
  'HAO-YU 8 ZI-HAO 6 YU-XUAN 5 JUN-JIE 5 RUI 6 YI-FAN 5 HAO 6 BO-WEN 4 TIAN 4 JIA-HAO 4',
);
const CN_F = c3(
  'MEI 12 LING 10 HUI 8 YING 10 FANG 8 LI 6 XIU-YING 6 YUK 4 SIU 4 LAN 5',
  'JING 15 YAN 12 HUI 8 YING 8 XIN 8 FANG 6 XIAO-YAN 6 LI-NA 5 MIN 6 JUAN 5 LEI 4 YUN 4',
  'YU-QING 6 XIN-YI 8 ZI-HAN 6 YI-NUO 5 SI-QI 5 MENG 5 YU-TONG 5 JIA-YI 6 XIN 5 WAN 4',
);
const KR_M = c3(
  'YOUNG-HO 10 SUNG-HO 8 JAE-SUNG 6 KWANG-SOO 5 SANG-WOO 5 DONG-SOO 5 BYUNG-HO 4 CHUL 4',
  'JI-HOON 10 JAE-HYUN 8 HYUN-WOO 8 DONG-HYUN 8 SEUNG-MIN 6 JUN-HO 8 SUNG-MIN 6 MIN-SOO 6 TAE-HO 5',
  'MIN-JUN 12 JI-HO 8 SEO-JUN 8 DO-YUN 6 HA-JUN 6 JU-WON 5 YE-JUN 5 SI-WOO 5 JI-HOON 4',
);
const KR_F = c3(
  'YOUNG-HEE 10 SUN-HEE 8 MI-KYUNG 8 KYUNG-SOOK 6 JUNG-HEE 6 MYUNG-SOOK 5 OK-JA 4',
  'JI-YOUNG 10 SOO-JIN 10 EUN-JI 8 HYE-JIN 8 JI-EUN 8 MIN-JI 6 SO-YOUNG 6 YOO-JIN 5 HYUN-JOO 5',
  'SEO-YEON 12 JI-WOO 8 MIN-SEO 8 SEO-YUN 6 HA-EUN 6 JI-YU 5 CHAE-WON 5 SU-AH 5 YE-EUN 5',
);
const SA_M = c3(
  'RAMESH 10 SURESH 10 ANIL 12 SUNIL 10 RAJESH 12 VIJAY 8 MAHESH 6 DINESH 6 PRAKASH 6 KRISHNA 5 MOHAN 5 HARISH 4',
  'RAHUL 12 AMIT 12 RAVI 10 DEEPAK 8 SANJAY 8 VIKRAM 6 NIKHIL 6 MANISH 6 KIRAN 5 SACHIN 5 ARUN 6 VIVEK 6 ASHISH 5 IMRAN 4',
  'ARJUN 12 ROHAN 10 AARAV 10 ISHAAN 8 VIHAAN 6 AYAAN 6 KABIR 5 DHRUV 5 NEEL 5 ANSH 4 SAHIL 5 REYANSH 4',
);
const SA_F = c3(
  'LAKSHMI 10 SUNITA 10 KAVITA 10 GEETA 8 USHA 8 SAROJ 5 MEENA 6 ANITA 8 REKHA 6 SHANTI 4 NIRMALA 4 PUSHPA 4',
  'PRIYA 15 POOJA 12 NEHA 12 ANJALI 10 DIVYA 8 SNEHA 6 MEERA 6 NISHA 8 SWATI 6 PRIYANKA 8 SHILPA 6 RUPAL 4 FARAH 3',
  'DIYA 10 ANANYA 10 SHREYA 8 ISHA 8 AANYA 6 SAANVI 6 RIYA 6 TARA 4 MAYA 6 ANIKA 6 KAVYA 5 MIRA 4',
);
const AR_M = c3(
  'MOHAMMED 30 AHMED 15 ALI 12 HASSAN 10 IBRAHIM 8 MAHMOUD 8 MUSTAFA 6 KHALIL 5 ABDULLAH 6 SALEH 5 YOUSSEF 5 JAMAL 4',
  'MOHAMMED 35 AHMED 15 OMAR 15 ALI 10 KHALED 10 YOUSSEF 10 HASSAN 8 HUSSEIN 6 TARIQ 5 SAMIR 6 KARIM 6 ABDULRAHMAN 5 WALID 4 BILAL 4',
  'ADAM 8 OMAR 10 YOUSSEF 8 ZAID 6 AMIR 6 AMIN 4 HAMZA 6 ADAM 4 IBRAHIM 5 YASSIN 5 MOHAMMED 20 ALI 5 KARIM 4',
);
const AR_F = c3(
  'FATIMA 20 AMINA 8 KHADIJA 8 ZAINAB 8 HUDA 6 AMAL 6 SOUAD 4 NAWAL 4 SAMIRA 6 LAILA 6',
  'FATIMA 15 AISHA 10 MARIAM 12 RANIA 6 NOUR 8 LAYLA 8 HANA 8 SARA 10 YASMIN 8 SALMA 6 REEM 4 LINA 5 DINA 5 RASHA 4',
  'MARYAM 10 NOUR 10 LAYLA 10 JANA 6 HANA 8 SARA 8 ZAINAB 6 ALMA 4 AYA 6 MALAK 5 JUDY 4 LEEN 5',
);
const EE_M = c3(
  'VLADIMIR 10 NIKOLAI 8 YURI 8 IVAN 8 PIOTR 6 JAN 6 STANISLAW 4 BOGDAN 5 VIKTOR 6 MIKHAIL 6 JOZEF 5 LASZLO 4',
  'ALEKSANDR 12 DMITRI 12 SERGEI 12 ANDREI 10 MIKHAIL 8 PAVEL 6 TOMASZ 8 KRZYSZTOF 6 MAREK 6 OLEKSANDR 6 ANDRIY 6 MAKSIM 5 IGOR 6 ROMAN 5',
  'MAKSIM 8 ARTEM 8 DANIIL 6 NIKITA 6 JAKUB 6 KACPER 5 MATVEI 5 MIRON 4 TIMUR 4 BOHDAN 4 FILIP 5',
);
const EE_F = c3(
  'OLGA 12 GALINA 8 LUDMILA 8 NADEZHDA 6 TAMARA 6 ZOFIA 6 HALINA 5 VALENTINA 6 LIDIA 5 IRENA 5 JADWIGA 4',
  'NATALIA 12 TATIANA 12 IRINA 12 SVETLANA 10 ELENA 10 EKATERINA 8 MARINA 8 YULIA 8 KATARZYNA 8 AGNIESZKA 6 MAGDALENA 6 OKSANA 6 ANNA 6',
  'ANASTASIA 10 DARIA 8 SOFIA 8 ALINA 8 POLINA 6 VIKTORIA 6 ZUZANNA 5 MILENA 5 VERONIKA 5 KSENIA 4',
);

const ORIGINS: Record<OriginKey, Origin> = {
  anglo: {
    key: 'anglo', share: 0.31, immigrant: 0, westernGiven: 0, takesName: 0.85, familyFirst: false, middleRate: 0.8,
    family: table(
      'SMITH 100 JOHNSON 80 MILLER 60 DAVIS 55 WILSON 48 ANDERSON 45 TAYLOR 42 THOMAS 40 MOORE 38 MARTIN 37 THOMPSON 36 WHITE 35 ' +
      'CLARK 33 LEWIS 30 HALL 30 YOUNG 28 ALLEN 28 KING 27 WRIGHT 27 SCOTT 26 HILL 26 GREEN 25 ADAMS 25 BAKER 24 NELSON 24 CARTER 23 ' +
      'MITCHELL 23 ROBERTS 22 PHILLIPS 21 CAMPBELL 21 EVANS 20 TURNER 20 PARKER 19 COLLINS 18 EDWARDS 18 STEWART 18 MORRIS 17 ROGERS 16 ' +
      'REED 16 COOK 16 MORGAN 16 BELL 15 COOPER 15 RICHARDSON 14 COX 14 HOWARD 14 WARD 14 PETERSON 14 GRAY 13 WATSON 13 BROOKS 13 ' +
      'SANDERS 12 PRICE 12 BENNETT 12 WOOD 12 BARNES 11 ROSS 11 HENDERSON 11 JENKINS 11 PERRY 10 POWELL 10 LONG 10 PATTERSON 10 HUGHES 10 ' +
      'SCHULTZ 8 MEYER 8 WAGNER 7 HOFFMAN 7 KLEIN 6 BECKER 6 SCHROEDER 5 FISCHER 5 WEBER 5 STEVENSON 5 STEPHENSON 4 PHILIPS 3 THOMSON 3 ' +
      'LARSON 6 OLSON 7 HANSEN 6 CHRISTENSEN 4 NIELSEN 3 LINDGREN 2 RUSSO 4 ROMANO 3 ESPOSITO 3 DELUCA 3 COHEN 5 SCHWARTZ 4 LEVINE 3 ' +
      'GOLDBERG 3 FRIEDMAN 3 KAPLAN 2 VAN_HORN 2 DUBOIS 2 LAFLEUR 2 FITZPATRICK 3 BLACKBURN 2 WHITFIELD 2 HOLLOWAY 3 KNAPP 2 PEMBERTON 1',
    ),
    given: { M: ANGLO_M, F: ANGLO_F },
    middle: { M: flat('JAMES LEE MICHAEL ALLEN WAYNE RAY JOSEPH EDWARD DAVID THOMAS JOHN ALAN DEAN LYNN SCOTT PAUL ANTHONY RYAN WILLIAM'), F: flat('ANN MARIE LYNN ELIZABETH MICHELLE NICOLE RENEE JEAN LOUISE ROSE GRACE KAY DAWN MAE JO ANNE BETH JANE') },
  },
  irish: {
    key: 'irish', share: 0.03, immigrant: 0.1, westernGiven: 0, takesName: 0.85, familyFirst: false, middleRate: 0.7,
    family: table("O'BRIEN 10 O'CONNOR 10 O'NEILL 8 O'SULLIVAN 8 O'MALLEY 5 O'DONNELL 5 MCCARTHY 8 MCDONALD 8 MCLAUGHLIN 5 MCGRATH 5 MCMAHON 4 MURPHY 12 KELLY 10 RYAN 8 BYRNE 6 WALSH 8 DOYLE 6 FITZGERALD 6 GALLAGHER 6 KENNEDY 6 QUINN 5 DONOVAN 5"),
    given: { M: IRISH_M, F: IRISH_F },
    middle: { M: flat('PATRICK JOSEPH FRANCIS MICHAEL JOHN SEAN'), F: flat('MARY ANNE BRIGID ROSE CATHERINE MARIE') },
  },
  afam: {
    key: 'afam', share: 0.13, immigrant: 0.08, westernGiven: 0, takesName: 0.8, familyFirst: false, middleRate: 0.75,
    family: table(
      'WILLIAMS 60 JOHNSON 55 SMITH 50 JONES 45 BROWN 45 JACKSON 40 DAVIS 35 THOMAS 30 HARRIS 30 ROBINSON 28 TAYLOR 25 WILSON 24 MOORE 22 ' +
      'WHITE 22 WASHINGTON 20 WALKER 18 GREEN 15 JEFFERSON 12 COLEMAN 12 BANKS 10 HOLMES 8 MOSLEY 5 GAINES 5 DORSEY 5 MAYFIELD 4 BOOKER 6 ' +
      'WOODSON 3 BATTLE 3 GADSDEN 3 TOLIVER 2 OKAFOR 3 MENSAH 3 ADEYEMI 2 OKONKWO 2 DIALLO 2 BALOGUN 1',
    ),
    given: { M: AFAM_M, F: AFAM_F },
    middle: { M: flat('LEE JAMES EARL LAMONT DEWAYNE ANTHONY MARQUIS TERRELL JEROME ALLEN'), F: flat('MARIE NICOLE DENISE MONIQUE RENEE LYNN MAE ANN SHANTE LASHAWN') },
  },
  hispanic: {
    key: 'hispanic', share: 0.22, immigrant: 0.4, westernGiven: 0.15, takesName: 0.3, familyFirst: false, middleRate: 0.55,
    family: table(
      'GARCIA 60 RODRIGUEZ 50 MARTINEZ 48 HERNANDEZ 48 LOPEZ 42 GONZALEZ 40 PEREZ 35 SANCHEZ 32 RAMIREZ 30 TORRES 26 FLORES 25 RIVERA 24 ' +
      'GOMEZ 22 DIAZ 22 REYES 18 MORALES 17 CRUZ 16 ORTIZ 15 GUTIERREZ 15 CHAVEZ 14 RAMOS 13 VASQUEZ 10 VAZQUEZ 5 CASTILLO 11 JIMENEZ 11 ' +
      'MORENO 10 ROMERO 10 HERRERA 10 MEDINA 9 AGUILAR 9 MENDOZA 9 GARZA 8 VARGAS 8 CASTRO 8 GUZMAN 7 FERNANDEZ 7 JUAREZ 7 MUNOZ 7 ' +
      'CONTRERAS 6 SALAZAR 6 NUNEZ 5 ESPINOZA 5 PENA 5 SOTO 5 DE_LA_CRUZ 5 DE_LEON 5 CANTU 4 SALINAS 4 VILLANUEVA 4 DOMINGUEZ 4 ' +
      'IBARRA 3 CASTANEDA 3 ZAMORA 3 TREVINO 3 VILLARREAL 4 DEL_ROSARIO 2',
    ),
    given: { M: HISP_M, F: HISP_F },
    middle: { M: flat('LUIS ANTONIO MANUEL CARLOS ALBERTO JAVIER ALEJANDRO DE_JESUS EDUARDO MIGUEL ANGEL'), F: flat('GUADALUPE DEL_CARMEN ELENA ISABEL LUISA FERNANDA JOSE TERESA ESTHER DE_JESUS CRISTINA') },
  },
  vietnamese: {
    key: 'vietnamese', share: 0.06, immigrant: 0.6, westernGiven: 0.45, takesName: 0.35, familyFirst: true, middleRate: 0.85,
    family: table('NGUYEN 380 TRAN 110 LE 90 PHAM 70 HUYNH 50 HOANG 40 PHAN 40 VU 35 VO 35 DANG 25 BUI 20 DO 25 HO 20 NGO 15 DUONG 10 LY 10 DINH 8 TRUONG 12 LAM 10 MAI 5 TA 3'),
    given: { M: VIET_M, F: VIET_F },
    middle: { M: table('VAN 60 DUC 8 MINH 8 QUOC 8 HUU 6 THANH 6 HOANG 4'), F: table('THI 60 NGOC 10 THANH 6 KIM 8 BICH 5 HONG 5 THUY 4') },
  },
  chinese: {
    key: 'chinese', share: 0.04, immigrant: 0.55, westernGiven: 0.45, takesName: 0.3, familyFirst: true, middleRate: 0.1,
    family: table('CHEN 60 WANG 50 LI 50 ZHANG 45 LIU 40 YANG 25 HUANG 25 LIN 25 WU 20 CHAN 20 WONG 20 ZHAO 15 ZHOU 15 XU 12 SUN 10 MA 10 ZHU 10 HU 10 GUO 8 HE 8 LEUNG 8 YU 8 GAO 6 LUO 6 CHEUNG 6 LAU 6 TANG 6 FONG 4'),
    given: { M: CN_M, F: CN_F },
    middle: { M: flat('WEI MING'), F: flat('MEI LI') },
  },
  korean: {
    key: 'korean', share: 0.03, immigrant: 0.55, westernGiven: 0.4, takesName: 0.2, familyFirst: true, middleRate: 0,
    family: table('KIM 60 LEE 50 PARK 35 CHOI 18 JUNG 12 KANG 10 CHO 10 YOON 8 JANG 7 LIM 7 HAN 6 SHIN 6 OH 5 SEO 5 KWON 5 HWANG 4 SONG 4 YOO 4 AHN 3'),
    given: { M: KR_M, F: KR_F },
    middle: { M: flat('MIN'), F: flat('MIN') },
  },
  southasian: {
    key: 'southasian', share: 0.07, immigrant: 0.55, westernGiven: 0.1, takesName: 0.85, familyFirst: false, middleRate: 0.45,
    family: table(
      'PATEL 120 SHAH 35 SINGH 30 KUMAR 25 SHARMA 20 DESAI 15 REDDY 15 MEHTA 12 GUPTA 12 KHAN 20 AHMED 10 RAO 10 JOSHI 8 NAIR 8 IYER 6 ' +
      'CHOWDHURY 6 BHATT 6 PILLAI 5 TRIVEDI 5 CHAUDHARY 5 AGARWAL 5 MALHOTRA 4 KAPOOR 4 BANERJEE 4 MUKHERJEE 3 VARGHESE 4 SRINIVASAN 4',
    ),
    given: { M: SA_M, F: SA_F },
    middle: { M: flat('KUMAR RAJ PRAKASH CHANDRA NATH LAL BHAI'), F: flat('KUMARI DEVI RANI BEN LATA') },
  },
  arabic: {
    key: 'arabic', share: 0.05, immigrant: 0.6, westernGiven: 0.1, takesName: 0.25, familyFirst: false, middleRate: 0.4,
    family: table(
      'HASSAN 20 ALI 20 AL-SAYED 10 IBRAHIM 12 MAHMOUD 10 HUSSEIN 10 SALEH 8 KHALIL 8 HADDAD 8 ABDULLAH 8 NASSER 6 MANSOUR 6 YOUSEF 5 ' +
      'SAID 5 FARAH 5 AL-AMIN 4 EL-AMIN 3 AL-HASHIMI 3 OTHMAN 4 HAMDAN 4 AWAD 4 ABDEL-RAHMAN 3 AL-MASRI 3',
    ),
    given: { M: AR_M, F: AR_F },
    middle: { M: flat('MOHAMMED AHMED ALI HASSAN MAHMOUD IBRAHIM'), F: flat('MOHAMMED AHMED ALI HASSAN MAHMOUD IBRAHIM') },
  },
  easteuro: {
    key: 'easteuro', share: 0.05, immigrant: 0.6, westernGiven: 0.25, takesName: 0.9, familyFirst: false, middleRate: 0.3,
    family: table(
      'KOWALSKI 10 NOWAK 10 WISNIEWSKI 6 WOJCIK 5 KAMINSKI 5 LEWANDOWSKI 5 IVANOV 10 PETROV 8 SMIRNOV 8 KUZNETSOV 6 POPOV 6 VOLKOV 5 ' +
      'KOVALENKO 6 SHEVCHENKO 6 BONDARENKO 5 MELNYK 5 NOVAK 6 HORVATH 5 POPESCU 5 KOVAC 4 DVORAK 3 NEMETH 3 SOKOLOV 4 MOROZOV 3',
    ),
    given: { M: EE_M, F: EE_F },
    middle: { M: flat('IVANOVICH SERGEEVICH ALEKSANDROVICH PETROVICH NIKOLAEVICH'), F: flat('IVANOVNA SERGEEVNA ALEKSANDROVNA PETROVNA NIKOLAEVNA') },
  },
};
const ORIGIN_TABLE = weighted((Object.values(ORIGINS) as Origin[]).map((o) => [o.key, o.share] as const));

/** Slavic surnames: the female form (KOWALSKI → KOWALSKA, IVANOV → IVANOVA). */
function feminine(family: string): string {
  if (/SKI$|CKI$|DZKI$/.test(family)) return family.slice(0, -1) + 'A';
  if (/(OV|EV|IN)$/.test(family)) return family + 'A';
  return family;
}
function masculine(family: string): string {
  if (/SKA$|CKA$/.test(family)) return family.slice(0, -1) + 'I';
  if (/(OVA|EVA|INA)$/.test(family)) return family.slice(0, -1);
  return family;
}

/** Spellings of one given name (transliterations, variants) a registrar may type for another. */
const GIVEN_VARIANT_GROUPS: ReadonlyArray<readonly string[]> = [
  ['MOHAMMED', 'MUHAMMAD', 'MOHAMMAD', 'MOHAMED', 'MOHAMAD'], ['AHMED', 'AHMAD'], ['YOUSSEF', 'YOUSEF', 'YUSUF'], ['KHALED', 'KHALID'],
  ['HUSSEIN', 'HUSSAIN', 'HUSEIN'], ['AISHA', 'AYESHA'], ['MARIAM', 'MARYAM'], ['NOUR', 'NOOR'], ['LAYLA', 'LEILA', 'LAILA'],
  ['OMAR', 'UMAR'], ['ABDULRAHMAN', 'ABDUL RAHMAN', 'ABDELRAHMAN'], ['YASSIN', 'YASSINE', 'YASIN'],
  ['DMITRI', 'DMITRY', 'DMITRIY'], ['SERGEI', 'SERGEY'], ['YURI', 'YURIY', 'IURII'], ['NATALIA', 'NATALYA', 'NATALIYA'], ['TATIANA', 'TATYANA'],
  ['ALEKSANDR', 'ALEXANDER', 'ALEKSANDER'], ['OLEKSANDR', 'OLEXANDER'], ['ANDREI', 'ANDREY'], ['ANDRIY', 'ANDRII'], ['MIKHAIL', 'MIKHAEL'],
  ['NIKOLAI', 'NIKOLAY'], ['YULIA', 'JULIA', 'IULIIA'], ['EKATERINA', 'YEKATERINA', 'EKATERINE'], ['MAKSIM', 'MAXIM'], ['KSENIA', 'XENIA'],
  ['ARTEM', 'ARTYOM'], ['LAKSHMI', 'LAXMI'],
  ['DESHAWN', 'DASHAWN', 'DESHAUN'], ['LAKEISHA', 'LAKISHA', 'LAKESHA'], ['JALEN', 'JAYLON', 'JAYLIN'], ['AALIYAH', 'ALIYAH', 'ALIYA'],
  ['SHANIQUA', 'SHANEEKA'], ['KEISHA', 'KEYSHA'], ['DEANDRE', "DE'ANDRE", 'DIANDRE'], ['TAMIKA', 'TAMEKA'], ['LATOYA', 'LATOIA'],
  ['SIOBHAN', 'SHIVAUN', 'SHIVON'], ['CAOIMHE', 'KEEVA'], ['NIAMH', 'NEEVE'], ['SEAN', 'SHAWN', 'SHAUN'], ['AIDAN', 'AIDEN', 'AYDEN'],
  ['KATHERINE', 'CATHERINE', 'KATHRYN'], ['GEOFFREY', 'JEFFREY'], ['KAYLEE', 'KAILEY', 'KAYLEIGH'], ['AUBREY', 'AUBREE'], ['MACKENZIE', 'MCKENZIE'],
  ['JAXON', 'JACKSON'], ['XIMENA', 'JIMENA'], ['YESENIA', 'JESENIA'], ['JOSEFINA', 'JOSEPHINA'], ['MARISOL', 'MARYSOL'], ['ARACELI', 'ARACELY'],
  ['LETICIA', 'LETISIA'],
];
/** Spellings of one family name (transliterations, romanisations, common misspellings). */
const FAMILY_VARIANT_GROUPS: ReadonlyArray<readonly string[]> = [
  ['AHMED', 'AHMAD'], ['SAID', 'SAEED'], ['YOUSEF', 'YOUSSEF', 'YUSUF'], ['AL-SAYED', 'EL-SAYED', 'ELSAYED'], ['AL-AMIN', 'EL-AMIN'],
  ['HUSSEIN', 'HUSSAIN'], ['SHEVCHENKO', 'SHEWCHENKO'], ['MELNYK', 'MELNIK'], ['KOVALENKO', 'KOWALENKO'], ['KUZNETSOV', 'KUZNETZOV'],
  ['CHOI', 'CHOY'], ['JUNG', 'JEONG', 'CHUNG'], ['LIM', 'IM'], ['YOON', 'YUN'], ['PARK', 'PAK'], ['SHIN', 'SHINN'], ['YOO', 'YU'],
  ['CHOWDHURY', 'CHOUDHURY', 'CHAUDHRY'], ['SRINIVASAN', 'SRINIVAS'], ['HUYNH', 'HUINH'], ['NGUYEN', 'NGUYENN', 'NGUEN'],
  ['STEVENSON', 'STEPHENSON'], ['PHILLIPS', 'PHILIPS'], ['THOMPSON', 'THOMSON'], ['VASQUEZ', 'VAZQUEZ'], ['GONZALEZ', 'GONZALES'],
];
const variantMap = (groups: ReadonlyArray<readonly string[]>): ReadonlyMap<string, readonly string[]> => {
  const m = new Map<string, string[]>();
  for (const g of groups) for (const n of g) m.set(n, [...(m.get(n) ?? []), ...g.filter((x) => x !== n)]);
  return m;
};
const GIVEN_VARIANTS = variantMap(GIVEN_VARIANT_GROUPS);
const FAMILY_VARIANTS = variantMap(FAMILY_VARIANT_GROUPS);

/** Culture-specific nicknames (not in the US nickname table). */
const CULTURAL_NICKNAMES: ReadonlyArray<readonly [string, string]> = [
  ['JOSE', 'PEPE'], ['FRANCISCO', 'PACO'], ['FRANCISCO', 'PANCHO'], ['GUADALUPE', 'LUPE'], ['JESUS', 'CHUY'], ['IGNACIO', 'NACHO'],
  ['GUILLERMO', 'MEMO'], ['EDUARDO', 'LALO'], ['ALBERTO', 'BETO'], ['ROBERTO', 'BETO'], ['ALEJANDRO', 'ALEX'], ['CONSUELO', 'CHELO'],
  ['DOLORES', 'LOLA'], ['ROSARIO', 'CHAYO'], ['ALEKSANDR', 'SASHA'], ['DMITRI', 'DIMA'], ['MIKHAIL', 'MISHA'], ['EKATERINA', 'KATYA'],
  ['NIKOLAI', 'KOLYA'], ['TATIANA', 'TANYA'], ['NATALIA', 'NATASHA'], ['SVETLANA', 'SVETA'], ['ANASTASIA', 'NASTYA'], ['MOHAMMED', 'MO'],
  ['ABDULRAHMAN', 'ABDUL'], ['ABDULLAH', 'ABDUL'], ['MUSTAFA', 'MOUSTAFA'], ['KATARZYNA', 'KASIA'], ['MAGDALENA', 'MAGDA'],
];

/** English names Asian-born people adopt (used by some registrars instead of the legal given name). */
const ADOPTED = {
  M: flat('KEVIN PETER DAVID TONY JOHNNY JIMMY ANDY DANNY HENRY KEN STEVEN VINCENT JACKIE RAYMOND'),
  F: flat('JENNY CINDY VIVIAN TIFFANY AMY GRACE LILY ANNIE JULIE HELEN LINDA KELLY CHRISTINE MICHELLE'),
} as const;

/** Given names in English for the second generation of each origin. */
const WESTERN_YOUNG = { M: flat('KEVIN ANDREW DAVID DANIEL JONATHAN RYAN ERIC JUSTIN BRANDON ALEXANDER ETHAN JAYDEN NATHAN VINCENT'), F: flat('JENNIFER TIFFANY VIVIAN MICHELLE EMILY SOPHIA CHLOE ISABELLA OLIVIA VICTORIA ANGELA AMANDA KAYLA') };

/** Twin given names: curated per origin (similar spelling, same initial, or opposite sex and one nickname apart). */
const TWIN_NAMES: Partial<Record<OriginKey, ReadonlyArray<readonly [string, Sex, string, Sex]>>> = {
  anglo: [['ALEXANDER', 'M', 'ALEXANDRA', 'F'], ['SAMUEL', 'M', 'SAMANTHA', 'F'], ['PATRICK', 'M', 'PATRICIA', 'F'], ['NICHOLAS', 'M', 'NICOLE', 'F'],
    ['CHRISTOPHER', 'M', 'CHRISTINA', 'F'], ['BRAYDEN', 'M', 'BRADEN', 'M'], ['KAYLEE', 'F', 'KAYLEIGH', 'F'], ['MASON', 'M', 'MADISON', 'F'],
    ['HAYDEN', 'M', 'HAILEY', 'F'], ['LOGAN', 'M', 'LANDON', 'M'], ['AVERY', 'F', 'AUBREY', 'F'], ['COLTON', 'M', 'CARTER', 'M'], ['ERIC', 'M', 'ERICA', 'F']],
  afam: [['JALEN', 'M', 'JAYLON', 'M'], ['KEISHA', 'F', 'KIARA', 'F'], ['TAMIKA', 'F', 'TANISHA', 'F'], ['DARIUS', 'M', 'DARNELL', 'M'],
    ['JADA', 'F', 'JAYDA', 'F'], ['ISAIAH', 'M', 'ISABEL', 'F'], ['AMARI', 'M', 'AMIRAH', 'F'], ['MALIK', 'M', 'MALIKA', 'F']],
  hispanic: [['GABRIEL', 'M', 'GABRIELA', 'F'], ['DANIEL', 'M', 'DANIELA', 'F'], ['FRANCISCO', 'M', 'FRANCISCA', 'F'], ['JULIAN', 'M', 'JULIANA', 'F'],
    ['ANDRES', 'M', 'ANDREA', 'F'], ['ANTONIO', 'M', 'ANTONIA', 'F'], ['JOSE', 'M', 'JOSEFINA', 'F'], ['MARIA', 'F', 'MARTA', 'F'],
    ['LUIS', 'M', 'LUCAS', 'M'], ['ADRIAN', 'M', 'ADRIANA', 'F'], ['ISAIAS', 'M', 'ELIAS', 'M'], ['ARIANA', 'F', 'ADRIANA', 'F']],
  vietnamese: [['MINH', 'M', 'MANH', 'M'], ['THANH', 'M', 'THAO', 'F'], ['LINH', 'F', 'LAN', 'F'], ['KHOA', 'M', 'KHANG', 'M'], ['ANH', 'M', 'AN', 'F']],
  chinese: [['HAO', 'M', 'HAN', 'M'], ['XIN', 'F', 'XIN-YI', 'F'], ['JUN', 'M', 'JUAN', 'F']],
  korean: [['JI-HO', 'M', 'JI-HOON', 'M'], ['SEO-YEON', 'F', 'SEO-YUN', 'F'], ['MIN-JUN', 'M', 'MIN-JI', 'F']],
  southasian: [['PRIYA', 'F', 'PRIYANKA', 'F'], ['ARJUN', 'M', 'ARUN', 'M'], ['ROHAN', 'M', 'ROHINI', 'F'], ['DIYA', 'F', 'DIVYA', 'F']],
  arabic: [['HASSAN', 'M', 'HUSSEIN', 'M'], ['OMAR', 'M', 'OSAMA', 'M'], ['AMIR', 'M', 'AMIN', 'M'], ['SARA', 'F', 'SALMA', 'F'], ['ADAM', 'M', 'ADAMA', 'F']],
  easteuro: [['ALEKSANDR', 'M', 'ALEKSANDRA', 'F'], ['DMITRI', 'M', 'DANIIL', 'M'], ['OLGA', 'F', 'OKSANA', 'F'], ['NIKITA', 'M', 'NIKOLAI', 'M']],
};

/** Siblings a year apart with names that look alike. */
const CLOSE_SIBLINGS: ReadonlyArray<readonly [string, Sex, string, Sex]> = [
  ['KAYLA', 'F', 'KAYLEE', 'F'], ['JAYDEN', 'M', 'JADEN', 'M'], ['BRIANNA', 'F', 'BRIANA', 'F'], ['JOSUE', 'M', 'JOSE', 'M'],
  ['ISAAC', 'M', 'ISAIAH', 'M'], ['EMILY', 'F', 'EMILIA', 'F'], ['MIN-JAE', 'M', 'MIN-JUN', 'M'], ['THAO', 'F', 'THANH', 'F'],
  ['ARYAN', 'M', 'ARJUN', 'M'], ['LEAH', 'F', 'LEA', 'F'], ['ELIJAH', 'M', 'ELIAS', 'M'], ['MARIANA', 'F', 'MARIA', 'F'],
  ['AIDEN', 'M', 'ADEN', 'M'], ['CAMILA', 'F', 'CAMILLE', 'F'], ['YOUSSEF', 'M', 'YOUNES', 'M'], ['NOAH', 'M', 'NOEL', 'M'],
];

/** Very common names: clusters of unrelated people born in the same decade. */
const COMMON_NAMES: ReadonlyArray<{ origin: OriginKey; given: string; middle?: string; family: string; sex: Sex; decade: number; weight: number }> = [
  { origin: 'hispanic', given: 'MARIA', family: 'GARCIA', sex: 'F', decade: 1970, weight: 4 },
  { origin: 'hispanic', given: 'MARIA', family: 'RODRIGUEZ', sex: 'F', decade: 1980, weight: 2 },
  { origin: 'hispanic', given: 'JOSE', family: 'HERNANDEZ', sex: 'M', decade: 1960, weight: 3 },
  { origin: 'hispanic', given: 'JUAN', family: 'LOPEZ', sex: 'M', decade: 1990, weight: 2 },
  { origin: 'vietnamese', given: 'ANH', middle: 'VAN', family: 'NGUYEN', sex: 'M', decade: 1970, weight: 3 },
  { origin: 'vietnamese', given: 'LINH', middle: 'THI', family: 'NGUYEN', sex: 'F', decade: 1980, weight: 2 },
  { origin: 'southasian', given: 'PRIYA', family: 'PATEL', sex: 'F', decade: 1990, weight: 2 },
  { origin: 'southasian', given: 'MOHAMMED', family: 'KHAN', sex: 'M', decade: 1980, weight: 2 },
  { origin: 'anglo', given: 'JAMES', family: 'SMITH', sex: 'M', decade: 1950, weight: 2 },
  { origin: 'anglo', given: 'MICHAEL', family: 'JOHNSON', sex: 'M', decade: 1970, weight: 2 },
  { origin: 'afam', given: 'LATOYA', family: 'WILLIAMS', sex: 'F', decade: 1980, weight: 1 },
  { origin: 'chinese', given: 'WEI', family: 'CHEN', sex: 'M', decade: 1980, weight: 1 },
  { origin: 'korean', given: 'JI-HOON', family: 'KIM', sex: 'M', decade: 1980, weight: 1 },
];

const COMMON_TABLE = weighted(COMMON_NAMES.map((c) => [c, c.weight] as const));

/** Middle names that fold into one word with the given name. */
const JOINED_FOLDS = new Set(['MARY ANN', 'MARY ANNE', 'ANNE MARIE', 'ANN MARIE', 'JO ANN', 'LEE ANN', 'MARY BETH', 'BILLY JOE', 'BOBBY JO', 'ROSE MARIE', 'MARY JO', 'JULIE ANN']);

/** Diacritics a UTF-8 registration screen keeps. */
const ACCENTED: Record<string, string> = {
  JOSE: 'JOSÉ', MARIA: 'MARÍA', JESUS: 'JESÚS', RAMON: 'RAMÓN', ANGEL: 'ÁNGEL', RAUL: 'RAÚL', HECTOR: 'HÉCTOR', OSCAR: 'ÓSCAR', ANDRES: 'ANDRÉS',
  JULIAN: 'JULIÁN', SEBASTIAN: 'SEBASTIÁN', LUCIA: 'LUCÍA', SOFIA: 'SOFÍA', XIMENA: 'XIMENA', BEATRIZ: 'BEATRIZ',
  PEREZ: 'PÉREZ', HERNANDEZ: 'HERNÁNDEZ', RODRIGUEZ: 'RODRÍGUEZ', MARTINEZ: 'MARTÍNEZ', GONZALEZ: 'GONZÁLEZ', LOPEZ: 'LÓPEZ', SANCHEZ: 'SÁNCHEZ',
  RAMIREZ: 'RAMÍREZ', GOMEZ: 'GÓMEZ', DIAZ: 'DÍAZ', GUTIERREZ: 'GUTIÉRREZ', JIMENEZ: 'JIMÉNEZ', FERNANDEZ: 'FERNÁNDEZ', MUNOZ: 'MUÑOZ',
  NUNEZ: 'NÚÑEZ', PENA: 'PEÑA', CASTANEDA: 'CASTAÑEDA', JUAREZ: 'JUÁREZ', DOMINGUEZ: 'DOMÍNGUEZ', TREVINO: 'TREVIÑO', LEON: 'LEÓN',
  NGUYEN: 'NGUYỄN', TRAN: 'TRẦN', LE: 'LÊ', PHAM: 'PHẠM', HOANG: 'HOÀNG', VU: 'VŨ', VO: 'VÕ', DANG: 'ĐẶNG', DO: 'ĐỖ', DUONG: 'DƯƠNG',
  THANH: 'THÀNH', HUONG: 'HƯƠNG', NGOC: 'NGỌC', PHUONG: 'PHƯƠNG', THUY: 'THÚY', DUC: 'ĐỨC', DUNG: 'DŨNG', HIEU: 'HIẾU', THI: 'THỊ', VAN: 'VĂN',
  ZOE: 'ZOË', RENEE: 'RENÉE', ANDRE: 'ANDRÉ', JOSEFINA: 'JOSEFINA', NEMETH: 'NÉMETH', HORVATH: 'HORVÁTH', DVORAK: 'DVOŘÁK', WOJCIK: 'WÓJCIK',
};

// ============================================================================================== places

interface City {
  name: string;
  zips: readonly string[];
  areas: readonly string[];
  weight: number;
}
const CITIES: readonly City[] = [
  { name: 'HOUSTON', weight: 55, areas: ['713', '832', '346'], zips: '77002 77003 77004 77006 77007 77008 77009 77011 77012 77016 77017 77018 77019 77020 77021 77022 77023 77024 77025 77026 77027 77028 77030 77031 77033 77035 77036 77040 77042 77043 77051 77053 77054 77055 77057 77063 77072 77074 77075 77076 77077 77081 77082 77083 77087 77088 77091 77092 77093 77096 77099'.split(' ') },
  { name: 'PASADENA', weight: 7, areas: ['713', '281'], zips: ['77502', '77503', '77504', '77505', '77506'] },
  { name: 'SUGAR LAND', weight: 6, areas: ['281', '832'], zips: ['77478', '77479', '77498'] },
  { name: 'KATY', weight: 6, areas: ['281', '832'], zips: ['77449', '77450', '77493', '77494'] },
  { name: 'PEARLAND', weight: 5, areas: ['281', '832'], zips: ['77581', '77584'] },
  { name: 'BAYTOWN', weight: 4, areas: ['281'], zips: ['77520', '77521'] },
  { name: 'MISSOURI CITY', weight: 4, areas: ['281'], zips: ['77459', '77489'] },
  { name: 'SPRING', weight: 5, areas: ['281', '832'], zips: ['77373', '77379', '77386', '77388'] },
  { name: 'HUMBLE', weight: 4, areas: ['281'], zips: ['77338', '77346', '77396'] },
  { name: 'STAFFORD', weight: 2, areas: ['281'], zips: ['77477'] },
];
const CITY_TABLE = weighted(CITIES.map((c) => [c, c.weight] as const));

/** [name, type, directional?] */
const STREETS: ReadonlyArray<readonly [string, string, string?]> = [
  ['BELLAIRE', 'BLVD'], ['WESTHEIMER', 'RD'], ['BISSONNET', 'ST'], ['RICHMOND', 'AVE'], ['GESSNER', 'RD'], ['BEECHNUT', 'ST'], ['HILLCROFT', 'AVE'],
  ['FONDREN', 'RD'], ['TELEPHONE', 'RD'], ['AIRLINE', 'DR'], ['IRVINGTON', 'BLVD'], ['NAVIGATION', 'BLVD'], ['HARRISBURG', 'BLVD'], ['FULTON', 'ST'],
  ['WAYSIDE', 'DR'], ['CULLEN', 'BLVD'], ['ALMEDA', 'RD'], ['KIRBY', 'DR'], ['MONTROSE', 'BLVD'], ['SHEPHERD', 'DR'], ['YALE', 'ST'], ['LONG POINT', 'RD'],
  ['BINGLE', 'RD'], ['BLALOCK', 'RD'], ['WIRT', 'RD'], ['ANTOINE', 'DR'], ['VETERANS MEMORIAL', 'DR'], ['ALDINE BENDER', 'RD'], ['GREENS', 'RD'],
  ['CYPRESS CREEK', 'PKWY'], ['SPENCER', 'HWY'], ['FAIRMONT', 'PKWY'], ['RED BLUFF', 'RD'], ['BURKE', 'RD'], ['DAIRY ASHFORD', 'RD'], ['MASON', 'RD'],
  ['FRY', 'RD'], ['WESTPARK', 'DR'], ['OAK MEADOW', 'LN'], ['WILLOW BEND', 'DR'], ['CEDAR CREEK', 'CT'], ['PECAN GROVE', 'WAY'], ['MAGNOLIA', 'TRL'],
  ['BLUEBONNET', 'LN'], ['LAUREL OAKS', 'DR'], ['AMBER FOREST', 'CIR'], ['SUNNY GLEN', 'CT'], ['SILVER MAPLE', 'PL'], ['5TH', 'ST', 'N'], ['34TH', 'ST', 'W'],
  ['11TH', 'ST', 'E'], ['43RD', 'ST', 'W'], ['MAIN', 'ST', 'N'], ['LAMAR', 'ST'], ['MCKINNEY', 'ST'], ['SAN JACINTO', 'ST'], ['CANAL', 'ST'], ['LYONS', 'AVE'],
  ['JENSEN', 'DR'], ['TIDWELL', 'RD'], ['LITTLE YORK', 'RD', 'W'], ['PARKER', 'RD', 'E'], ['GULF BANK', 'RD'], ['BELLFORT', 'AVE', 'W'], ['ALABAMA', 'ST', 'W'],
  ['GRAY', 'ST', 'W'], ['EL CAMINO', 'ST'], ['SUGAR CREEK', 'BLVD'], ['MISSION BEND', 'DR'], ['GREEN TRAILS', 'DR'], ['PRAIRIE VIEW', 'DR'], ['RUSTIC PINE', 'LN'],
];
const STREET_WORDS: Record<string, string> = {
  ST: 'STREET', AVE: 'AVENUE', RD: 'ROAD', DR: 'DRIVE', LN: 'LANE', BLVD: 'BOULEVARD', CT: 'COURT', WAY: 'WAY', PL: 'PLACE', TRL: 'TRAIL',
  CIR: 'CIRCLE', PKWY: 'PARKWAY', HWY: 'HIGHWAY', N: 'NORTH', S: 'SOUTH', E: 'EAST', W: 'WEST',
};

interface Addr {
  from: number;
  num: string;
  dir?: string;
  name: string;
  type: string;
  unitKind?: 'APT' | 'UNIT' | '#' | 'STE';
  unit?: string;
  city: string;
  state: string;
  zip: string;
  zip4: string;
  phone: string;
  /** A delimiter character in the unit designator ("APT 4 & 5"). */
  delimiter?: boolean;
}

// ============================================================================================== persons

type Tag = PersonTag | `origin-${OriginKey}` | 'mother-daughter' | 'same-name-relative' | 'close-siblings' | 'compound-surname' | 'placeholder-dob' | 'twins-apart' | 'adopted-name' | 'same-building';

interface P {
  id: number;
  household: number;
  origin: OriginKey;
  family: string;
  maiden?: string;
  nameChangeAt?: number;
  given: string;
  middle?: string;
  suffix?: 'JR' | 'SR';
  sex: Sex;
  dob: string;
  ssn?: string;
  mobile?: string;
  work?: string;
  /** An English name some registrars use instead of the legal given name. */
  adopted?: string;
  addrs: Addr[];
  tags: Set<Tag>;
  parents: number[];
  twinOf?: number;
  jsOf?: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY = 86_400_000;
const FEED_START = Date.UTC(2024, 0, 1);
const FEED_DAYS = 365;
const SPAN = FEED_DAYS * DAY;
const LATEST_DOB = '2023-12-31';

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const validDate = (y: number, m: number, d: number) => y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const yearOf = (dob: string) => Number(dob.slice(0, 4));
const cohortOf = (year: number): Cohort => (year < 1966 ? 'old' : year < 1996 ? 'mid' : 'young');

function randomDob(r: Rand, fromYear: number, toYear: number): string {
  const y = r.range(fromYear, Math.min(toYear, 2023));
  const m = r.range(1, 12);
  return iso(y, m, r.range(1, daysIn(y, m)));
}

function newSsn(r: Rand, used: Set<string>): string {
  for (;;) {
    let area = r.range(1, 899);
    if (area === 666) area = 667;
    const s = `${pad(area, 3)}${pad(r.range(1, 99))}${pad(r.range(1, 9999), 4)}`;
    if (!used.has(s)) {
      used.add(s);
      return s;
    }
  }
}

function newPhone(r: Rand, area: string, used: Set<string>): string {
  for (;;) {
    let ex = r.range(200, 989);
    if (ex === 555) ex = 556;
    const s = `${area}${ex}${pad(r.range(0, 9999), 4)}`;
    if (!used.has(s)) {
      used.add(s);
      return s;
    }
  }
}

class World {
  readonly persons: P[] = [];
  readonly households: number[][] = [];
  readonly twinPairs: Array<[number, number]> = [];
  readonly jsPairs: Array<[number, number]> = [];
  private readonly ssns = new Set<string>();
  private readonly phones = new Set<string>();
  private readonly complexes: Array<Omit<Addr, 'from' | 'unit' | 'unitKind' | 'phone'> & { units: Set<string> }> = [];
  commonHeads = 0;
  movedHouseholds = 0;
  delimiterPersons = 0;

  constructor(private readonly r: Rand, private readonly target: number) {
    const nComplex = Math.max(4, Math.round(target / 45));
    for (let i = 0; i < nComplex; i++) {
      const base = this.streetAddress(r);
      this.complexes.push({ ...base, units: new Set() });
    }
  }

  private streetAddress(r: Rand): Omit<Addr, 'from' | 'phone'> {
    const city = r.draw(CITY_TABLE);
    const [name, type, dir] = r.pick(STREETS);
    return { num: String(r.bool(0.7) ? r.range(100, 19999) : r.range(1, 999)), ...(dir ? { dir } : {}), name, type, city: city.name, state: 'TX', zip: r.pick(city.zips), zip4: pad(r.range(1, 9999), 4) };
  }

  /** A household address: a house, or a unit in an apartment complex other households also live in. */
  newAddress(r: Rand, from: number, landline: boolean, fallbackPhone: () => string): Addr {
    let a: Omit<Addr, 'from' | 'phone'>;
    if (r.bool(0.3)) {
      const c = r.pick(this.complexes);
      let unit: string;
      do unit = `${r.range(1, 4)}${pad(r.range(1, 40))}${r.bool(0.2) ? r.pick(['A', 'B', 'C']) : ''}`;
      while (c.units.has(unit));
      c.units.add(unit);
      const { units: _units, ...base } = c;
      a = { ...base, unitKind: r.draw(weighted([['APT', 6], ['UNIT', 2], ['#', 2]] as const)), unit };
    } else {
      a = this.streetAddress(r);
      if (r.bool(0.05)) Object.assign(a, { unitKind: r.bool(0.5) ? 'APT' : 'UNIT', unit: r.pick(['A', 'B', '1', '2', 'REAR']) });
    }
    const city = CITIES.find((c) => c.name === a.city)!;
    return { ...a, from, phone: landline ? newPhone(r, r.pick(city.areas), this.phones) : fallbackPhone() };
  }

  private person(h: number, origin: OriginKey, fields: Omit<P, 'id' | 'household' | 'origin' | 'addrs' | 'tags' | 'parents'> & { parents?: number[] }): P {
    const p: P = { id: this.persons.length, household: h, origin, addrs: [], tags: new Set([`origin-${origin}` as Tag]), parents: [], ...fields };
    this.persons.push(p);
    this.households[h]!.push(p.id);
    return p;
  }

  private givenFor(r: Rand, o: Origin, sex: Sex, year: number, secondGen: boolean): string {
    if (secondGen && r.bool(o.westernGiven)) return r.draw(year >= 1996 ? WESTERN_YOUNG[sex] : sex === 'M' ? ANGLO_M.mid : ANGLO_F.mid);
    return r.draw(o.given[sex][cohortOf(year)]);
  }

  private middleFor(r: Rand, o: Origin, sex: Sex, given: string): string | undefined {
    if (!r.bool(o.middleRate)) return undefined;
    if (o.key === 'hispanic' && given === 'MARIA' && sex === 'F') return r.pick(['GUADALUPE', 'DEL CARMEN', 'ELENA', 'ISABEL', 'DE JESUS', 'LUISA', 'TERESA', 'JOSE']);
    let m = r.draw(o.middle[sex]);
    for (let i = 0; i < 4 && m === given; i++) m = r.draw(o.middle[sex]);
    return m === given ? undefined : m;
  }

  private familyFor(r: Rand, o: Origin): { family: string; compound: boolean } {
    const a = r.draw(o.family);
    if (o.key === 'hispanic' && !a.includes(' ') && r.bool(0.35)) {
      let b = r.draw(o.family);
      for (let i = 0; i < 4 && (b === a || b.includes(' ')); i++) b = r.draw(o.family);
      if (b !== a && !b.includes(' ')) return { family: `${a}${r.bool(0.65) ? ' ' : '-'}${b}`, compound: true };
    }
    return { family: a, compound: false };
  }

  private adultExtras(r: Rand, p: P, o: Origin, year: number) {
    const city = CITIES.find((c) => c.name === p.addrs[0]?.city) ?? CITIES[0]!;
    if (year <= 2010 && r.bool(0.9)) p.mobile = newPhone(r, r.pick(['832', '346', '281', '713']), this.phones);
    if (year <= 2005 && year >= 1955 && r.bool(0.55)) p.work = newPhone(r, r.pick(city.areas), this.phones);
    const bornAbroad = year < 2000 && r.bool(o.immigrant);
    if (r.bool(bornAbroad ? 0.8 : 0.97)) p.ssn = newSsn(r, this.ssns);
    if (bornAbroad && p.twinOf === undefined && !p.tags.has('close-siblings') && ['vietnamese', 'arabic', 'southasian', 'easteuro', 'hispanic'].includes(o.key) && r.bool(o.key === 'vietnamese' || o.key === 'arabic' ? 0.12 : 0.04)) {
      p.dob = `${p.dob.slice(0, 4)}-01-01`;
      p.tags.add('placeholder-dob');
    }
    // An adult immigrant (not a child of the household, who may already have an English name) with an English name.
    if (bornAbroad && !p.parents.length && (o.key === 'vietnamese' || o.key === 'chinese' || o.key === 'korean') && r.bool(0.25)) {
      p.adopted = r.draw(ADOPTED[p.sex]);
      p.tags.add('adopted-name');
    }
  }

  private childExtras(r: Rand, p: P) {
    if (r.bool(0.92)) p.ssn = newSsn(r, this.ssns);
    if (yearOf(p.dob) <= 2010 && r.bool(0.75)) p.mobile = newPhone(r, r.pick(['832', '346', '281']), this.phones);
  }

  /** Builds households until the target is reached. */
  build() {
    const r = this.r;
    while (this.persons.length < this.target) {
      const hr = r.child(this.households.length);
      this.household(hr, this.target - this.persons.length);
    }
  }

  private household(r: Rand, remaining: number) {
    const origin = ORIGINS[r.draw(ORIGIN_TABLE)];
    type Kind = 'single' | 'couple' | 'family' | 'singleParent' | 'multigen' | 'twinsApart';
    let kind: Kind = r.draw(weighted<Kind>([['single', 27], ['couple', 20], ['family', 34], ['singleParent', 10], ['multigen', 7], ['twinsApart', 0.8]]));
    const need: Record<Kind, number> = { single: 1, couple: 2, family: 3, singleParent: 2, multigen: 4, twinsApart: 2 };
    if (need[kind] > remaining) kind = remaining >= 2 ? 'couple' : 'single';
    const h = this.households.length;
    this.households.push([]);
    const members: P[] = [];
    const landline = r.bool(0.45);

    // ---- adults
    const common = (kind === 'single' || kind === 'couple' || kind === 'family') && r.bool(0.1) ? r.draw(COMMON_TABLE) : undefined;
    const o = common ? ORIGINS[common.origin] : origin;
    const headSex: Sex = common ? common.sex : kind === 'singleParent' ? (r.bool(0.8) ? 'F' : 'M') : r.bool(0.5) ? 'M' : 'F';
    const headYear = common ? r.range(common.decade, common.decade + 9) : kind === 'multigen' ? r.range(1960, 1990) : kind === 'family' || kind === 'singleParent' ? r.range(1962, 1998) : r.range(1936, 2004);
    const fam = common ? { family: common.family, compound: false } : this.familyFor(r, o);
    const headGiven = common ? common.given : this.givenFor(r, o, headSex, headYear, false);
    const head = this.person(h, o.key, {
      family: o.key === 'easteuro' && headSex === 'F' ? feminine(fam.family) : fam.family,
      given: headGiven,
      ...(common?.middle ? { middle: common.middle } : (() => {
        const m = this.middleFor(r, o, headSex, headGiven);
        return m ? { middle: m } : {};
      })()),
      sex: headSex,
      dob: randomDob(r, headYear, headYear),
    });
    if (common) head.tags.add('common-name');
    if (fam.compound) head.tags.add('compound-surname');
    members.push(head);

    let spouse: P | undefined;
    if (kind === 'couple' || kind === 'family' || (kind === 'multigen' && r.bool(0.6))) {
      const so = r.bool(0.88) ? o : ORIGINS[r.draw(ORIGIN_TABLE)];
      const sSex: Sex = r.bool(0.03) ? headSex : headSex === 'M' ? 'F' : 'M';
      const sYear = Math.min(2004, Math.max(1930, headYear + r.range(-6, 6)));
      const own = this.familyFor(r, so);
      const wife = sSex === 'F' && headSex === 'M';
      const husband = headSex === 'F' && sSex === 'M';
      const takes = wife && r.bool(so.takesName);
      let family = own.family;
      if (takes) family = o.key === 'easteuro' ? feminine(masculine(head.family)) : head.family;
      if (husband && r.bool(o.takesName)) {
        // The head (a woman) carries her husband's name: give him the same family name.
        family = o.key === 'easteuro' ? masculine(head.family) : head.family;
      }
      if (so.key === 'easteuro' && sSex === 'F' && !takes) family = feminine(family);
      let given = this.givenFor(r, so, sSex, sYear, false);
      for (let i = 0; i < 10 && given === head.given; i++) given = this.givenFor(r, so, sSex, sYear, false);
      const m = this.middleFor(r, so, sSex, given);
      spouse = this.person(h, so.key, { family, given, ...(m ? { middle: m } : {}), sex: sSex, dob: randomDob(r, sYear, sYear) });
      if (own.compound && !takes) spouse.tags.add('compound-surname');
      // A wedding during the feed: records before it have the maiden name.
      if (takes && sYear >= 1972 && r.bool(0.3) && own.family !== family) {
        spouse.maiden = so.key === 'easteuro' ? feminine(own.family) : own.family;
        spouse.nameChangeAt = Math.floor(SPAN * (0.1 + 0.7 * r.float()));
        spouse.tags.add('name-change');
      }
      members.push(spouse);
    }

    // ---- children (and the hard cases among them)
    const mother = head.sex === 'F' ? head : spouse?.sex === 'F' ? spouse : undefined;
    const father = head.sex === 'M' ? head : spouse?.sex === 'M' ? spouse : undefined;
    const parents = [head, ...(spouse ? [spouse] : [])];
    // Hispanic parents give their children both first surnames (decided once per family).
    const twoSurnames = !!father && !!mother && o.key === 'hispanic' && r.bool(0.5);
    const kidFamily = (sex: Sex): string => {
      let f = father?.family ?? head.family;
      if (father && mother && twoSurnames) {
        const a = father.family.split(/[ -]/)[0]!;
        const b = (mother.maiden ?? mother.family).split(/[ -]/)[0]!;
        if (a !== b && !['DE', 'DEL'].includes(a) && !['DE', 'DEL'].includes(b)) f = `${a} ${b}`;
      }
      if (o.key === 'easteuro') f = sex === 'F' ? feminine(masculine(f)) : masculine(f);
      return f;
    };
    const parentYear = mother ? yearOf(mother.dob) : yearOf(head.dob);
    const addKid = (given: string, sex: Sex, dob: string, middle?: string, familyOverride?: string): P => {
      const kidsFam = familyOverride ?? kidFamily(sex);
      const k = this.person(h, o.key, { family: kidsFam, given, ...(middle ? { middle } : {}), sex, dob, parents: parents.map((x) => x.id) });
      if (kidsFam.includes(' ') && o.key === 'hispanic' && !/^(DE|DEL) /.test(kidsFam)) k.tags.add('compound-surname');
      members.push(k);
      return k;
    };
    // Children are born when the mother (or the head) is 19 to 42; none after 2023.
    const kidYear = () => r.range(parentYear + 19, Math.max(parentYear + 19, Math.min(2023, parentYear + 42)));
    const taken = (g: string) => members.some((x) => x.given === g);
    const kidDobs = () => members.filter((x) => x.parents.length).map((x) => Date.parse(x.dob));
    /** A child at least ten months from each sibling (twins aside), or none. */
    const newKid = () => {
      for (let attempt = 0; attempt < 25; attempt++) {
        const year = kidYear();
        if (year > 2023) return undefined;
        const dob = randomDob(r, year, year);
        if (kidDobs().some((t) => Math.abs(t - Date.parse(dob)) < 300 * DAY)) continue;
        const sex: Sex = r.bool(0.5) ? 'M' : 'F';
        // Parents do not give two of their children (or a child and a parent) the same first name.
        let g = this.givenFor(r, o, sex, year, true);
        for (let i = 0; i < 20 && taken(g); i++) g = this.givenFor(r, o, sex, year, true);
        if (taken(g)) continue;
        return addKid(g, sex, dob, this.middleFor(r, o, sex, g));
      }
      return undefined;
    };

    if (kind === 'family' || kind === 'singleParent' || kind === 'multigen') {
      let nKids: number = r.draw(weighted([[1, 35], [2, 38], [3, 18], [4, 9]] as const));
      nKids = Math.max(1, Math.min(nKids, remaining - members.length - (kind === 'multigen' ? 1 : 0)));
      const special = r.float();
      const room = remaining - members.length - (kind === 'multigen' ? 1 : 0);
      if (special < 0.05 && room >= 2 && parentYear <= 2002) {
        // Twins.
        const year = kidYear();
        const dob = randomDob(r, year, year);
        const curated = TWIN_NAMES[o.key];
        let pair: readonly [string, Sex, string, Sex] | undefined = curated && r.bool(0.6) ? r.pick(curated) : undefined;
        if (pair && (taken(pair[0]) || taken(pair[2]))) pair = undefined;
        if (!pair) {
          const s1: Sex = r.bool(0.5) ? 'M' : 'F';
          const s2: Sex = r.bool(0.35) ? (s1 === 'M' ? 'F' : 'M') : s1;
          let g1 = this.givenFor(r, o, s1, year, true);
          for (let i = 0; i < 20 && taken(g1); i++) g1 = this.givenFor(r, o, s1, year, true);
          let g2 = g1;
          for (let i = 0; i < 30 && (g2 === g1 || g2[0] !== g1[0]); i++) g2 = this.givenFor(r, o, s2, year, true);
          for (let i = 0; i < 20 && (g2 === g1 || taken(g2)); i++) g2 = this.givenFor(r, o, s2, year, true);
          pair = [g1, s1, g2, s2];
        }
        const sharedMiddle = r.bool(0.2) ? this.middleFor(r, o, pair[1], pair[0]) : undefined;
        const t1 = addKid(pair[0], pair[1], dob, sharedMiddle ?? this.middleFor(r, o, pair[1], pair[0]));
        const t2 = addKid(pair[2], pair[3], dob, pair[1] === pair[3] ? (sharedMiddle ?? this.middleFor(r, o, pair[3], pair[2])) : this.middleFor(r, o, pair[3], pair[2]));
        this.pairTwins(t1, t2);
        nKids = Math.max(0, nKids - 2);
      } else if (special < 0.15 && father && room >= 1) {
        // Junior: the father's given, middle and family name, 25-35 years younger.
        const year = yearOf(father.dob) + r.range(25, 35);
        if (year <= 2023) {
          const jr = addKid(father.given, 'M', randomDob(r, year, year), father.middle, father.family);
          this.pairJuniorSenior(father, jr);
          nKids--;
        }
      } else if (special < 0.20 && mother && room >= 1) {
        // A daughter with her mother's given name.
        const year = yearOf(mother.dob) + r.range(20, 35);
        if (year <= 2023) {
          const d = addKid(mother.given, 'F', randomDob(r, year, year), this.middleFor(r, o, 'F', mother.given));
          mother.tags.add('mother-daughter');
          d.tags.add('mother-daughter');
          nKids--;
        }
      } else if (special < 0.26 && room >= 2) {
        // Siblings about a year apart with names that look alike.
        let cs = r.pick(CLOSE_SIBLINGS);
        for (let i = 0; i < 5 && (taken(cs[0]) || taken(cs[2])); i++) cs = r.pick(CLOSE_SIBLINGS);
        const [g1, s1, g2, s2] = taken(cs[0]) || taken(cs[2]) ? r.pick(CLOSE_SIBLINGS.filter((c) => !taken(c[0]) && !taken(c[2]))) : cs;
        const y = Math.min(2022, kidYear());
        const d1 = randomDob(r, y, y);
        const t = Date.parse(d1) + (r.range(330, 430) * DAY);
        const d2 = new Date(Math.min(t, Date.parse(LATEST_DOB))).toISOString().slice(0, 10);
        const a = addKid(g1, s1, d1, this.middleFor(r, o, s1, g1));
        const b = addKid(g2, s2, d2, this.middleFor(r, o, s2, g2));
        a.tags.add('close-siblings');
        b.tags.add('close-siblings');
        nKids = Math.max(0, nKids - 2);
      }
      for (let i = 0; i < nKids && members.length < remaining - (kind === 'multigen' ? 1 : 0); i++) newKid();
      if (kind === 'multigen' && members.length < remaining) {
        // A grandparent living with them (the head's parent).
        const gSex: Sex = r.bool(0.7) ? 'F' : 'M';
        const gYear = Math.max(1930, yearOf(head.dob) - r.range(20, 36));
        const given = this.givenFor(r, o, gSex, gYear, false);
        const m = this.middleFor(r, o, gSex, given);
        const gp = this.person(h, o.key, { family: o.key === 'easteuro' ? (gSex === 'F' ? feminine(masculine(head.family)) : masculine(head.family)) : gSex === 'F' && !o.takesName ? this.familyFor(r, o).family : head.family, given, ...(m ? { middle: m } : {}), sex: gSex, dob: randomDob(r, gYear, gYear) });
        members.push(gp);
      }
    } else if (kind === 'twinsApart') {
      // Adult twins, each in a household of their own; the second household is made here too.
      const t2h = this.households.length;
      this.households.push([]);
      const sex2: Sex = r.bool(0.6) ? head.sex : head.sex === 'M' ? 'F' : 'M';
      let g2 = this.givenFor(r, o, sex2, headYear, false);
      for (let i = 0; i < 20 && (g2 === head.given || g2[0] !== head.given[0]); i++) g2 = this.givenFor(r, o, sex2, headYear, false);
      const t2 = this.person(t2h, o.key, { family: o.key === 'easteuro' ? (sex2 === 'F' ? feminine(masculine(head.family)) : masculine(head.family)) : head.family, given: g2, sex: sex2, dob: head.dob });
      this.pairTwins(head, t2);
      head.tags.add('twins-apart');
      t2.tags.add('twins-apart');
      this.adultExtras(r, t2, o, headYear);
      if (!t2.mobile) t2.mobile = newPhone(r, '832', this.phones);
      t2.addrs.push(this.newAddress(r, 0, r.bool(0.4), () => t2.mobile!));
    }

    // A grandmother and a mother (or granddaughter) may share a given name: tag it.
    for (const p of members) {
      for (const q of members) {
        if (p.id < q.id && p.given === q.given && p.jsOf !== q.id && !(p.tags.has('mother-daughter') && q.tags.has('mother-daughter'))) {
          p.tags.add('same-name-relative');
          q.tags.add('same-name-relative');
        }
      }
    }

    // ---- address, phones, identifiers
    for (const p of members) {
      const y = yearOf(p.dob);
      if (y <= 2005) this.adultExtras(r, p, ORIGINS[p.origin], y);
      else this.childExtras(r, p);
    }
    const contact = members.find((p) => p.mobile)?.mobile;
    const fallback = () => contact ?? newPhone(r, '832', this.phones);
    const first = this.newAddress(r, 0, landline, fallback);
    if (r.bool(0.006)) {
      first.unitKind = 'APT';
      first.unit = `${r.range(1, 9)} & ${r.range(10, 19)}`;
      first.delimiter = true;
    }
    const addrs = [first];
    if (r.bool(0.12)) {
      const at = Math.floor(SPAN * (0.1 + 0.75 * r.float()));
      const next = this.newAddress(r, at, landline && r.bool(0.6), fallback);
      addrs.push(next);
      this.movedHouseholds++;
    }
    if (first.unitKind && first.unitKind !== 'STE' && /^\d/.test(first.unit ?? '')) for (const p of members) p.tags.add('same-building');
    for (const p of members) {
      if (p.addrs.length === 0) p.addrs = addrs.map((a) => ({ ...a }));
      if (addrs.length > 1) p.tags.add('moved');
      if (first.delimiter) {
        p.tags.add('delimiter');
        this.delimiterPersons++;
      }
    }
    // Twins' SSNs are often consecutive (issued together at birth).
    for (const p of members) {
      const t = p.twinOf !== undefined ? this.persons[p.twinOf] : undefined;
      if (t && t.id > p.id && p.ssn && t.ssn && r.bool(0.5)) {
        const next = `${p.ssn.slice(0, 5)}${pad(Math.min(9999, Number(p.ssn.slice(5)) + 1), 4)}`;
        if (!this.ssns.has(next)) {
          this.ssns.add(next);
          t.ssn = next;
        }
      }
    }
  }

  private pairTwins(a: P, b: P) {
    a.twinOf = b.id;
    b.twinOf = a.id;
    a.tags.add('twin');
    b.tags.add('twin');
    this.twinPairs.push([a.id, b.id]);
  }

  private pairJuniorSenior(sr: P, jr: P) {
    sr.suffix = 'SR';
    jr.suffix = 'JR';
    sr.jsOf = jr.id;
    jr.jsOf = sr.id;
    sr.tags.add('senior');
    jr.tags.add('junior');
    this.jsPairs.push([sr.id, jr.id]);
  }
}

// ============================================================================================== senders

type TypoKind = 'keyboard' | 'ocr' | 'phonetic';

interface AltErrors {
  /** Per record and name field: probability of a typo; `kinds` weights which sort. */
  typo: number;
  kinds: Record<TypoKind, number>;
  streetTypo: number;
  /** Given and family in each other's fields (× 4 for names written family first at home). */
  swap: number;
  /** A compound surname (GARCIA LOPEZ) cut to its first part / its separator changed. */
  compoundFirst: number;
  compoundFormat: number;
  /** Apostrophe, hyphen or space of O'BRIEN / AL-SAYED / DE LA CRUZ dropped or changed. */
  punctuation: number;
  /** Another spelling of the name (MOHAMMED / MUHAMMAD). */
  translit: number;
  /** Slavic female surname typed in the masculine form. */
  masculineForm: number;
  /** Middle name: folded into the given name / initial only / not sent. */
  middleFold: number;
  middleInitial: number;
  middleDrop: number;
  /** Two-syllable given names (MIN-JUN) joined, spaced or split into given + middle. */
  givenFormat: number;
  nickname: number;
  culturalNickname: number;
  /** Per record of a person with an adopted English name: probability the registrar uses it. */
  adopted: number;
  diacritics: number;
  dobSwap: number;
  dobDigit: number;
  dobYear: number;
  dobJan1: number;
  sexMissing: number;
  sexWrong: number;
  missingAddress: number;
  aptLine1: number;
  dropZip: number;
  zip4: number;
  missingPhone: number;
  workAsHome: number;
  missingSsn: number;
  ssnTypo: number;
  ssnPlaceholder: number;
  guarantorSsn: number;
  suffix: number;
  /** Where a sent suffix goes: XPN.4, appended to the family name, or to the given name. */
  suffixIn: Record<'field' | 'family' | 'given', number>;
  duplicate: number;
  a40: number;
  /** Weights of 0, 1 and 2 updates per record. */
  updates: readonly [number, number, number];
  learnMove: number;
  learnName: number;
  /** Per update: probability it corrects the registration's typos and DOB error. */
  corrects: number;
}

interface AltSender {
  pub: PopulationSender;
  version: '2.3' | '2.4' | '2.5' | '2.5.1';
  /** MSH-7 with a UTC offset. */
  tz: boolean;
  addressStyle: 'abbrev' | 'words' | 'mixed';
  phoneStyle: 'components' | 'formatted' | 'digits' | 'none';
  /** Sends the work phone in PID-14. */
  pid14: boolean;
  /** Patient account number in PID-18. */
  pid18: boolean;
  /** NK1 with the parent of a minor. */
  nk1: boolean;
  /** PV1 on A28/A31. */
  pv1OnPersonEvents: boolean;
  /** Name type XPN.7 sent. */
  nameType: boolean;
  err: AltErrors;
}

const ZERO_ERR: AltErrors = {
  typo: 0, kinds: { keyboard: 1, ocr: 0, phonetic: 0 }, streetTypo: 0, swap: 0, compoundFirst: 0, compoundFormat: 0, punctuation: 0, translit: 0,
  masculineForm: 0, middleFold: 0, middleInitial: 0, middleDrop: 0, givenFormat: 0, nickname: 0, culturalNickname: 0, adopted: 0, diacritics: 0,
  dobSwap: 0, dobDigit: 0, dobYear: 0, dobJan1: 0, sexMissing: 0, sexWrong: 0, missingAddress: 0, aptLine1: 0, dropZip: 0, zip4: 0,
  missingPhone: 0, workAsHome: 0, missingSsn: 0, ssnTypo: 0, ssnPlaceholder: 0, guarantorSsn: 0, suffix: 0, suffixIn: { field: 1, family: 0, given: 0 },
  duplicate: 0, a40: 0, updates: [1, 0, 0], learnMove: 0, learnName: 0, corrects: 0,
};

const ALT_ROOT = `${POPULATION_OID_ROOT}.7`;

function altSenders(): AltSender[] {
  const mk = (
    pub: Omit<PopulationSender, 'errors'>,
    rest: Omit<AltSender, 'pub' | 'err'>,
    err: Partial<AltErrors>,
  ): AltSender => {
    const e: AltErrors = { ...ZERO_ERR, ...err };
    const meanUpd = e.updates[1] + 2 * e.updates[2];
    const errors: SenderErrorProfile = {
      typo: e.typo, nickname: e.nickname + e.culturalNickname, dobSwap: e.dobSwap, dobDigit: e.dobDigit, missingSsn: e.missingSsn,
      missingPhone: e.missingPhone, missingAddress: e.missingAddress, middle: 1 - e.middleDrop, suffix: e.suffix, duplicate: e.duplicate, a40: e.a40,
      updates: meanUpd / (e.updates[0] + e.updates[1] + e.updates[2]), learnsNameChange: e.learnName,
    };
    return { pub: { ...pub, errors }, ...rest, err: e };
  };
  return [
    mk(
      {
        name: 'MEMORIAL', kind: 'hospital', description: 'Gulf Coast Memorial Hospital', application: 'MEMHIS', facility: 'GCMH', namespace: 'GCMH',
        oid: `${ALT_ROOT}.1`, controlIdPrefix: 'GCM', mrn: { prefix: '', digits: 8 }, coverage: 0.5, trustRank: 40,
        flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid19-dashed', phone: 'components', nameCase: 'upper', registration: ['A04', 'A04', 'A01'], update: 'A08', maidenRepetition: true, accountInPid3: false, enhancedAck: false },
      },
      { version: '2.5.1', tz: true, addressStyle: 'abbrev', phoneStyle: 'components', pid14: true, pid18: true, nk1: true, pv1OnPersonEvents: true, nameType: true },
      {
        typo: 0.012, kinds: { keyboard: 0.7, ocr: 0, phonetic: 0.3 }, streetTypo: 0.01, swap: 0.003, compoundFirst: 0.08, compoundFormat: 0.1, punctuation: 0.05,
        translit: 0.03, masculineForm: 0.05, middleFold: 0.03, middleInitial: 0.25, middleDrop: 0.1, givenFormat: 0.1, nickname: 0.02, culturalNickname: 0.02, adopted: 0.2,
        dobSwap: 0.003, dobDigit: 0.006, dobYear: 0.002, dobJan1: 0.002, sexMissing: 0.002, sexWrong: 0.002, missingAddress: 0.01, aptLine1: 0.1, dropZip: 0.005,
        zip4: 0.3, missingPhone: 0.04, workAsHome: 0.02, missingSsn: 0.12, ssnTypo: 0.004, ssnPlaceholder: 0.004, guarantorSsn: 0.004, suffix: 0.75,
        suffixIn: { field: 1, family: 0, given: 0 }, duplicate: 0.006, a40: 0.85, updates: [0.3, 0.45, 0.25], learnMove: 0.8, learnName: 0.85, corrects: 0.5,
      },
    ),
    mk(
      {
        name: 'BAYOU', kind: 'hospital', description: 'Bayou County Hospital District (safety net)', application: 'BCHD_ADT', facility: 'BAYOUCH', namespace: 'BCHD',
        oid: `${ALT_ROOT}.2`, controlIdPrefix: '', mrn: { prefix: '', digits: 7 }, coverage: 0.38, trustRank: 20,
        flavour: { cx4: 'namespace', mrnType: 'MR', ssn: 'pid3', phone: 'formatted', nameCase: 'upper', registration: ['A04', 'A01'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      },
      { version: '2.3', tz: false, addressStyle: 'words', phoneStyle: 'formatted', pid14: false, pid18: true, nk1: false, pv1OnPersonEvents: true, nameType: false },
      {
        typo: 0.03, kinds: { keyboard: 0.5, ocr: 0, phonetic: 0.5 }, streetTypo: 0.03, swap: 0.015, compoundFirst: 0.3, compoundFormat: 0.2, punctuation: 0.2,
        translit: 0.12, masculineForm: 0.15, middleFold: 0.15, middleInitial: 0.1, middleDrop: 0.3, givenFormat: 0.3, nickname: 0.04, culturalNickname: 0.08, adopted: 0.3,
        dobSwap: 0.01, dobDigit: 0.015, dobYear: 0.006, dobJan1: 0.01, sexMissing: 0.01, sexWrong: 0.004, missingAddress: 0.04, aptLine1: 0.5, dropZip: 0.03,
        zip4: 0, missingPhone: 0.1, workAsHome: 0.05, missingSsn: 0.4, ssnTypo: 0.01, ssnPlaceholder: 0.015, guarantorSsn: 0.02, suffix: 0.3,
        suffixIn: { field: 0.5, family: 0.35, given: 0.15 }, duplicate: 0.01, a40: 0.6, updates: [0.45, 0.4, 0.15], learnMove: 0.5, learnName: 0.5, corrects: 0.3,
      },
    ),
    mk(
      {
        name: 'GULFLAB', kind: 'lab', description: 'Gulf Reference Laboratories', application: 'LIS', facility: 'GULFLAB', namespace: 'GULFLAB',
        oid: `${ALT_ROOT}.3`, controlIdPrefix: 'Q', mrn: { prefix: 'GL', digits: 9 }, coverage: 0.4, trustRank: 5,
        flavour: { cx4: 'empty', mrnType: 'PI', ssn: 'none', phone: 'none', nameCase: 'upper', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      },
      { version: '2.3', tz: false, addressStyle: 'mixed', phoneStyle: 'none', pid14: false, pid18: false, nk1: false, pv1OnPersonEvents: true, nameType: false },
      {
        typo: 0.04, kinds: { keyboard: 0.3, ocr: 0.5, phonetic: 0.2 }, streetTypo: 0.03, swap: 0.01, compoundFirst: 0.45, compoundFormat: 0.15, punctuation: 0.5,
        translit: 0.05, masculineForm: 0.05, middleFold: 0.05, middleInitial: 0.7, middleDrop: 0.2, givenFormat: 0.4, nickname: 0.03, culturalNickname: 0.03, adopted: 0.1,
        dobSwap: 0.012, dobDigit: 0.02, dobYear: 0.008, dobJan1: 0.004, sexMissing: 0.05, sexWrong: 0.006, missingAddress: 0.8, aptLine1: 0.6, dropZip: 0.1,
        zip4: 0, missingPhone: 1, workAsHome: 0, missingSsn: 1, ssnTypo: 0, ssnPlaceholder: 0, guarantorSsn: 0, suffix: 0.2,
        suffixIn: { field: 0.3, family: 0.5, given: 0.2 }, duplicate: 0.005, a40: 0.5, updates: [0.75, 0.2, 0.05], learnMove: 0.3, learnName: 0.3, corrects: 0.3,
      },
    ),
    mk(
      {
        name: 'EASTWOOD', kind: 'clinic', description: 'Eastwood Community Health Center (FQHC)', application: 'ECW', facility: 'EASTWOODCHC', namespace: 'EASTWOOD',
        oid: `${ALT_ROOT}.4`, controlIdPrefix: 'EW', mrn: { prefix: '', digits: 6 }, coverage: 0.35, trustRank: 10,
        flavour: { cx4: 'oid', mrnType: 'MR', ssn: 'pid19', phone: 'components', nameCase: 'mixed', registration: ['A28'], update: 'A31', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      },
      { version: '2.5', tz: false, addressStyle: 'mixed', phoneStyle: 'components', pid14: false, pid18: false, nk1: false, pv1OnPersonEvents: false, nameType: true },
      {
        typo: 0.04, kinds: { keyboard: 0.35, ocr: 0, phonetic: 0.65 }, streetTypo: 0.03, swap: 0.008, compoundFirst: 0.15, compoundFormat: 0.35, punctuation: 0.15,
        translit: 0.1, masculineForm: 0.05, middleFold: 0.2, middleInitial: 0.3, middleDrop: 0.3, givenFormat: 0.3, nickname: 0.1, culturalNickname: 0.1, adopted: 0.4,
        dobSwap: 0.015, dobDigit: 0.015, dobYear: 0.008, dobJan1: 0.006, sexMissing: 0.01, sexWrong: 0.006, missingAddress: 0.03, aptLine1: 0.3, dropZip: 0.03,
        zip4: 0.05, missingPhone: 0.06, workAsHome: 0.06, missingSsn: 0.45, ssnTypo: 0.01, ssnPlaceholder: 0.02, guarantorSsn: 0.01, suffix: 0.4,
        suffixIn: { field: 0.6, family: 0.2, given: 0.2 }, duplicate: 0.008, a40: 0.75, updates: [0.3, 0.45, 0.25], learnMove: 0.7, learnName: 0.6, corrects: 0.35,
      },
    ),
    mk(
      {
        name: 'NORTHSIDE', kind: 'clinic', description: 'Northside Urgent Care', application: 'UCPM', facility: 'NORTHSIDEUC', namespace: 'NSUC',
        oid: `${ALT_ROOT}.5`, controlIdPrefix: 'NS', mrn: { prefix: 'NS', digits: 7 }, coverage: 0.28, trustRank: 15,
        flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid3', phone: 'formatted', nameCase: 'upper', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: true, enhancedAck: true, charset: 'UNICODE UTF-8' },
      },
      { version: '2.4', tz: true, addressStyle: 'abbrev', phoneStyle: 'digits', pid14: false, pid18: false, nk1: false, pv1OnPersonEvents: true, nameType: true },
      {
        typo: 0.03, kinds: { keyboard: 0.85, ocr: 0, phonetic: 0.15 }, streetTypo: 0.03, swap: 0.006, compoundFirst: 0.2, compoundFormat: 0.1, punctuation: 0.1,
        translit: 0.06, masculineForm: 0.05, middleFold: 0.05, middleInitial: 0.2, middleDrop: 0.6, givenFormat: 0.2, nickname: 0.06, culturalNickname: 0.05, adopted: 0.3,
        diacritics: 0.6, dobSwap: 0.01, dobDigit: 0.02, dobYear: 0.01, dobJan1: 0.003, sexMissing: 0.02, sexWrong: 0.005, missingAddress: 0.05, aptLine1: 0.8, dropZip: 0.06,
        zip4: 0, missingPhone: 0.08, workAsHome: 0.08, missingSsn: 0.55, ssnTypo: 0.02, ssnPlaceholder: 0.015, guarantorSsn: 0.01, suffix: 0.25,
        suffixIn: { field: 0.7, family: 0.2, given: 0.1 }, duplicate: 0.009, a40: 0.7, updates: [0.5, 0.4, 0.1], learnMove: 0.5, learnName: 0.5, corrects: 0.25,
      },
    ),
  ];
}

// ============================================================================================== errors

const KEYBOARD = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
const NEAR: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < KEYBOARD[r]!.length; i++) {
      let s = (KEYBOARD[r]![i - 1] ?? '') + (KEYBOARD[r]![i + 1] ?? '');
      if (r > 0) s += KEYBOARD[r - 1]!.slice(i, i + 2);
      if (r < 2) s += KEYBOARD[r + 1]!.slice(Math.max(0, i - 1), i + 1);
      out[KEYBOARD[r]![i]!] = s;
    }
  }
  return out;
})();

function letterPositions(s: string, skipFirst: boolean): number[] {
  const out: number[] = [];
  for (let i = skipFirst ? 1 : 0; i < s.length; i++) if (/[A-Z]/.test(s[i]!)) out.push(i);
  return out;
}

function keyboardTypo(s: string, r: Rand): string {
  const pos = letterPositions(s, r.bool(0.9));
  if (pos.length < 2) return s;
  for (let a = 0; a < 10; a++) {
    const i = r.pick(pos);
    const c = s[i]!;
    const op = r.draw(weighted([['sub', 4], ['swap', 2], ['del', 2], ['ins', 2]] as const));
    if (op === 'sub') {
      const n = r.pick([...(NEAR[c] ?? 'E')]);
      if (n !== c) return s.slice(0, i) + n + s.slice(i + 1);
    } else if (op === 'swap') {
      if (/[A-Z]/.test(s[i + 1] ?? '') && s[i + 1] !== c) return s.slice(0, i) + s[i + 1] + c + s.slice(i + 2);
    } else if (op === 'del') {
      if (s.replace(/[^A-Z]/g, '').length > 3) return s.slice(0, i) + s.slice(i + 1);
    } else {
      const n = r.bool(0.5) ? c : r.pick([...(NEAR[c] ?? 'E')]);
      return s.slice(0, i + 1) + n + s.slice(i + 1);
    }
  }
  return s;
}

const OCR: ReadonlyArray<readonly [string, string]> = [
  ['RN', 'M'], ['M', 'RN'], ['CL', 'D'], ['D', 'CL'], ['O', '0'], ['O', 'Q'], ['Q', 'O'], ['I', '1'], ['I', 'L'], ['L', 'I'], ['E', 'F'], ['F', 'E'],
  ['U', 'V'], ['V', 'U'], ['H', 'N'], ['N', 'H'], ['G', 'C'], ['C', 'G'], ['W', 'VV'], ['LI', 'U'], ['B', 'E'], ['S', '5'], ['NN', 'M'],
];

function ocrTypo(s: string, r: Rand): string {
  const options: Array<[number, string, string]> = [];
  for (const [from, to] of OCR) {
    for (let i = s.indexOf(from, 1); i >= 0; i = s.indexOf(from, i + 1)) options.push([i, from, to]);
  }
  if (!options.length) return keyboardTypo(s, r);
  const [i, from, to] = r.pick(options);
  return s.slice(0, i) + to + s.slice(i + from.length);
}

const PHONETIC: ReadonlyArray<readonly [RegExp, string]> = [
  [/PH/g, 'F'], [/(?<=.)F/g, 'PH'], [/CK/g, 'K'], [/(?<=[AEIOU])K/g, 'CK'], [/C(?=[AOU])/g, 'K'], [/(?<=.)K(?=[AOU])/g, 'C'],
  [/([BDFGLMNPRST])\1/g, '$1'], [/(?<=[AEIOU])([LNRT])(?=[AEIOUY])/g, '$1$1'], [/(?<=.)Y/g, 'I'], [/(?<=.)I(?=[^AEIOU]|$)/g, 'Y'],
  [/IE/g, 'EI'], [/EI/g, 'IE'], [/SCH/g, 'SH'], [/(?<=.)SH/g, 'SCH'], [/Z/g, 'S'], [/(?<=[AEIOU])S(?=[AEIOU])/g, 'Z'], [/(?<=.)V/g, 'B'],
  [/(?<=.)B(?=[AEIOU])/g, 'V'], [/TH/g, 'T'], [/GH/g, ''], [/EE/g, 'EA'], [/OU/g, 'U'], [/AY/g, 'AI'], [/X/g, 'KS'], [/KS/g, 'X'],
  [/EY$/g, 'IE'], [/IE$/g, 'Y'], [/(?<=[^AEIOU])Y$/g, 'IE'], [/A$/g, 'AH'], [/AH$/g, 'A'], [/ON$/g, 'EN'], [/EN$/g, 'ON'], [/W/g, 'V'],
  [/(?<=.)J/g, 'Y'], [/QU/g, 'KW'], [/EW/g, 'U'],
];

function phoneticTypo(s: string, r: Rand, variants: ReadonlyMap<string, readonly string[]>): string {
  const v = variants.get(s);
  if (v && r.bool(0.5)) return r.pick(v);
  const options: Array<[number, number, string]> = [];
  for (const [re, to] of PHONETIC) {
    const rx = new RegExp(re.source, 'g');
    for (let m = rx.exec(s); m; m = rx.exec(s)) {
      const out = m[0].replace(new RegExp(re.source), to);
      options.push([m.index, m[0].length, out]);
      if (m[0].length === 0) rx.lastIndex++;
    }
  }
  if (!options.length) return keyboardTypo(s, r);
  for (let a = 0; a < 6; a++) {
    const [i, len, out] = r.pick(options);
    const res = s.slice(0, i) + out + s.slice(i + len);
    if (res !== s && res.replace(/[^A-Z]/g, '').length >= 2) return res;
  }
  return keyboardTypo(s, r);
}

function typoOf(kind: TypoKind, s: string, r: Rand, variants: ReadonlyMap<string, readonly string[]> = new Map()): string {
  return kind === 'keyboard' ? keyboardTypo(s, r) : kind === 'ocr' ? ocrTypo(s, r) : phoneticTypo(s, r, variants);
}

/** Title case as a mixed-case registration screen stores it: Nguyen, O'Brien, McDonald, Garcia-Lopez, Min-Jun. */
function titleCase(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[\s'\-])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase())
    .replace(/\bMc(\p{L})/gu, (_m, c: string) => `Mc${c.toUpperCase()}`);
}

function swapDayMonth(d: string): string | undefined {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  return day <= 12 && day !== m ? iso(y, day, m) : undefined;
}

function digitError(d: string, r: Rand): string | undefined {
  const digits = d.replace(/-/g, '');
  for (let a = 0; a < 15; a++) {
    const pos = r.pick([2, 3, 3, 4, 5, 5, 6, 7, 7]);
    const nd = r.bool(0.6) ? (Number(digits[pos]) + (r.bool(0.5) ? 1 : 9)) % 10 : r.range(0, 9);
    const s = digits.slice(0, pos) + String(nd) + digits.slice(pos + 1);
    const y = Number(s.slice(0, 4));
    const m = Number(s.slice(4, 6));
    const day = Number(s.slice(6, 8));
    const out = iso(y, m, day);
    if (validDate(y, m, day) && out !== d && out <= LATEST_DOB) return out;
  }
  return undefined;
}

// ============================================================================================== records

type Label = Variation | 'name-swap' | 'compound-truncated' | 'compound-format' | 'punctuation' | 'translit' | 'masculine-form' | 'middle-folded'
  | 'given-format' | 'nickname-cultural' | 'adopted-name' | 'diacritics' | 'typo-ocr' | 'typo-phonetic' | 'dob-year' | 'dob-jan1' | 'sex-missing'
  | 'sex-wrong' | 'work-phone' | 'ssn-typo' | 'ssn-placeholder' | 'ssn-guarantor' | 'apt-line1' | 'zip-missing' | 'stale-address' | 'corrected';

interface Typed {
  text: string;
  labels: Label[];
}

/** One sender's copy of a person: everything chosen at registration; `render` replays it at any time. */
interface Copy {
  truth: SourceRecordTruth;
  s: AltSender;
  p: P;
  seed: number;
  labels: Set<Label>;
  /** Given, middle (typed form, typo-free form). */
  given: { typed: Typed; clean: Typed };
  middle: Typed | undefined;
  /** Family forms per base name (current, maiden), typed and typo-free. */
  family: Map<string, { typed: Typed; clean: Typed }>;
  swap: boolean;
  suffixIn?: 'field' | 'family' | 'given';
  dob: { typed: Typed; clean: string };
  sex: Typed;
  ssn?: Typed;
  phone: 'home' | 'mobile' | 'work' | 'none';
  address: { send: boolean; aptLine1: boolean; dropZip: boolean; zip4: boolean; words: boolean; streetTypos: Map<number, string> };
  /** Mutable state, advanced as messages are rendered in time order. */
  knowsName: boolean;
  addrIdx: number;
  corrected: boolean;
  account: string;
}

interface Planned {
  at: number;
  seq: number;
  copy: Copy;
  kind: 'reg' | 'upd' | 'merge';
  event: PopulationMessage['event'];
  retired?: Copy;
  learnsMove?: boolean;
  learnsName?: boolean;
  corrects?: boolean;
}

function buildNicknames(pairs: ReadonlyArray<readonly [string, string]> | undefined): Map<string, string[]> {
  const src = pairs?.length ? pairs : ([['WILLIAM', 'BILL'], ['ROBERT', 'BOB'], ['JAMES', 'JIM'], ['ELIZABETH', 'LIZ'], ['KATHERINE', 'KATE'], ['MICHAEL', 'MIKE'], ['JENNIFER', 'JEN'], ['ALEXANDER', 'ALEX'], ['PATRICIA', 'PATTY'], ['CHRISTOPHER', 'CHRIS']] as const);
  const m = new Map<string, string[]>();
  for (const [f, n] of src) {
    const F = f.toUpperCase();
    const N = n.toUpperCase();
    if (N.length < 2 || N === F) continue;
    m.set(F, [...(m.get(F) ?? []), N]);
  }
  return m;
}

const PARTICLE = /^(DE LA|DE LOS|DEL|DE|VAN DER|VAN|VON|DA|DI|LE|LA|ST) (.+)$/;

/** The family name as this sender types it: format habits, then (typed only) a typo. */
function renderFamily(base: string, p: P, e: AltErrors, seed: number, withTypo: boolean): Typed {
  const r = new Rand(derive(seed, 1));
  const labels: Label[] = [];
  let s = base;
  const compound = p.tags.has('compound-surname') && /^[A-Z]+[ -][A-Z]+$/.test(base) && !PARTICLE.test(base);
  const fFirst = r.float();
  const fFormat = r.float();
  const fPunct = r.float();
  const fTrans = r.float();
  const fMasc = r.float();
  const fDia = r.float();
  if (compound) {
    const [a, b] = base.split(/[ -]/) as [string, string];
    if (fFirst < e.compoundFirst) {
      s = a;
      labels.push('compound-truncated');
    } else if (fFormat < e.compoundFormat) {
      const sep = base.includes('-') ? r.pick([' ', '']) : r.pick(['-', '-', '']);
      s = `${a}${sep}${b}`;
      labels.push('compound-format');
    }
  } else if (/['\- ]/.test(base) && fPunct < e.punctuation) {
    s = base.includes("'") ? base.replace("'", r.pick(['', ' '])) : base.includes('-') ? base.replace('-', r.pick(['', ' '])) : base.replace(/ /g, r.pick(['', '-']));
    if (s !== base) labels.push('punctuation');
  } else if (/^MC[A-Z]/.test(base) && fPunct < e.punctuation / 2) {
    s = `MC ${base.slice(2)}`;
    labels.push('punctuation');
  }
  if (s === base && fTrans < e.translit && FAMILY_VARIANTS.has(base)) {
    s = r.pick(FAMILY_VARIANTS.get(base)!);
    labels.push('translit');
  }
  if (s === base && p.origin === 'easteuro' && p.sex === 'F' && masculine(base) !== base && fMasc < e.masculineForm) {
    s = masculine(base);
    labels.push('masculine-form');
  }
  if (fDia < e.diacritics) {
    const d = s.split(' ').map((w) => ACCENTED[w] ?? w).join(' ');
    if (d !== s) labels.push('diacritics');
    s = d;
  }
  const fTypo = r.float();
  const kind = r.draw(weighted(Object.entries(e.kinds) as Array<[TypoKind, number]>));
  if (withTypo && fTypo < e.typo) {
    const t = typoOf(kind, s, new Rand(derive(seed, 2)), FAMILY_VARIANTS);
    if (t !== s) {
      labels.push('typo-family');
      if (kind !== 'keyboard') labels.push(kind === 'ocr' ? 'typo-ocr' : 'typo-phonetic');
    }
    s = t;
  }
  return { text: s, labels };
}

function makeCopy(s: AltSender, p: P, w: World, truth: SourceRecordTruth, regAt: number, r: Rand, nick: Map<string, string[]>, boost: number): Copy {
  const e = s.err;
  const seed = r.u32();
  const labels = new Set<Label>();
  const ch = (x: number) => r.bool(Math.min(1, x * boost));

  // ---- given and middle
  let given = p.given;
  const gl: Label[] = [];
  let middle = p.middle;
  const ml: Label[] = [];
  const cultural = CULTURAL_NICKNAMES.filter(([f]) => f === p.given).map(([, n]) => n);
  const fAdopt = r.float();
  const fNick = r.float();
  const fCult = r.float();
  const fTrans = r.float();
  const fFormat = r.float();
  const fDia = r.float();
  if (p.adopted && fAdopt < e.adopted) {
    given = p.adopted;
    gl.push('adopted-name');
  } else if (cultural.length && fCult < e.culturalNickname * boost) {
    given = r.pick(cultural);
    gl.push('nickname', 'nickname-cultural');
  } else if (nick.has(p.given) && fNick < e.nickname * boost) {
    given = r.pick(nick.get(p.given)!);
    gl.push('nickname');
  } else if (GIVEN_VARIANTS.has(p.given) && fTrans < e.translit) {
    given = r.pick(GIVEN_VARIANTS.get(p.given)!);
    gl.push('translit');
  } else if (/^[A-Z]+-[A-Z]+$/.test(p.given) && fFormat < e.givenFormat) {
    const [a, b] = p.given.split('-') as [string, string];
    const how = r.draw(weighted([['joined', 4], ['spaced', 3], ['split', 2]] as const));
    if (how === 'joined') given = a + b;
    else if (how === 'spaced') given = `${a} ${b}`;
    else {
      given = a;
      if (!middle) middle = b;
    }
    gl.push('given-format');
  }
  // Middle name habits.
  const fFold = r.float();
  const fInit = r.float();
  const fDrop = r.float();
  if (middle && middle === p.middle) {
    if (fFold < e.middleFold * boost && !gl.includes('adopted-name')) {
      const both = `${given} ${middle}`;
      given = JOINED_FOLDS.has(both) && r.bool(0.6) ? both.replace(' ', '') : both;
      middle = undefined;
      gl.push('middle-folded');
    } else if (fDrop < e.middleDrop) middle = undefined;
    else if (fInit < e.middleInitial) middle = middle.slice(0, 1);
  }
  if (fDia < e.diacritics) {
    const d = given.split(' ').map((x) => ACCENTED[x] ?? x).join(' ');
    if (d !== given) gl.push('diacritics');
    given = d;
    if (middle) middle = middle.split(' ').map((x) => ACCENTED[x] ?? x).join(' ');
  }
  const givenClean: Typed = { text: given, labels: [...gl] };
  let givenTyped = givenClean;
  if (ch(e.typo)) {
    const kind = r.draw(weighted(Object.entries(e.kinds) as Array<[TypoKind, number]>));
    const t = typoOf(kind, given, r.child(3), GIVEN_VARIANTS);
    if (t !== given) givenTyped = { text: t, labels: [...gl, 'typo-given', ...(kind === 'keyboard' ? [] : [kind === 'ocr' ? ('typo-ocr' as const) : ('typo-phonetic' as const)])] };
  }

  // ---- family (current and maiden), with the same habits and typo draws
  const family = new Map<string, { typed: Typed; clean: Typed }>();
  const famSeed = r.u32();
  const famTypo = ch(e.typo);
  const famErr: AltErrors = { ...e, typo: famTypo ? 1 : 0 };
  for (const base of [p.family, ...(p.maiden ? [p.maiden] : [])]) {
    family.set(base, { typed: renderFamily(base, p, famErr, famSeed, true), clean: renderFamily(base, p, famErr, famSeed, false) });
  }

  const swap = ch(e.swap * (ORIGINS[p.origin].familyFirst ? 4 : 1));
  const suffixIn = p.suffix && r.bool(e.suffix) ? r.draw(weighted(Object.entries(e.suffixIn) as Array<['field' | 'family' | 'given', number]>)) : undefined;

  // ---- DOB and sex
  let dob = p.dob;
  const dl: Label[] = [];
  if (ch(e.dobSwap) && swapDayMonth(dob)) {
    dob = swapDayMonth(dob)!;
    dl.push('dob-swap');
  } else if (ch(e.dobDigit)) {
    const d = digitError(dob, r);
    if (d) {
      dob = d;
      dl.push('dob-digit');
    }
  } else if (ch(e.dobYear)) {
    const y = yearOf(dob) + (r.bool(0.5) ? 1 : -1);
    const d = iso(y, Number(dob.slice(5, 7)), Math.min(Number(dob.slice(8, 10)), daysIn(y, Number(dob.slice(5, 7)))));
    if (d <= LATEST_DOB) {
      dob = d;
      dl.push('dob-year');
    }
  } else if (ch(e.dobJan1 * (ORIGINS[p.origin].immigrant > 0.3 ? 2 : 1)) && !dob.endsWith('-01-01')) {
    dob = `${dob.slice(0, 4)}-01-01`;
    dl.push('dob-jan1');
  }
  let sex: Typed = { text: p.sex, labels: [] };
  if (r.bool(e.sexMissing)) sex = { text: r.pick(['', '', 'U']), labels: ['sex-missing'] };
  else if (r.bool(e.sexWrong)) sex = { text: p.sex === 'F' ? 'M' : 'F', labels: ['sex-wrong'] };

  // ---- SSN
  let ssn: Typed | undefined;
  const minor = yearOf(p.dob) >= 2006;
  const guarantor = minor ? p.parents.map((id) => w.persons[id]!).find((x) => x.ssn)?.ssn : undefined;
  if (s.pub.flavour.ssn !== 'none') {
    const fMiss = r.float();
    const fPh = r.float();
    const fG = r.float();
    const fT = r.float();
    if (guarantor && fG < e.guarantorSsn) ssn = { text: guarantor, labels: ['ssn-guarantor'] };
    else if (fPh < e.ssnPlaceholder) ssn = { text: r.pick(['999999999', '000000000', '123456789']), labels: ['ssn-placeholder'] };
    else if (!p.ssn) ssn = undefined;
    else if (fMiss < Math.min(1, e.missingSsn * boost)) labels.add('missing-ssn');
    else if (fT < e.ssnTypo) {
      const i = r.range(0, 8);
      const d = (Number(p.ssn[i]) + r.range(1, 9)) % 10;
      ssn = { text: p.ssn.slice(0, i) + d + p.ssn.slice(i + 1), labels: ['ssn-typo'] };
    } else ssn = { text: p.ssn, labels: [] };
  }

  // ---- phone and address
  let phone: Copy['phone'] = 'home';
  if (s.phoneStyle === 'none') phone = 'none';
  else if (ch(e.missingPhone)) {
    phone = 'none';
    labels.add('missing-phone');
  } else if (p.work && r.bool(e.workAsHome)) {
    phone = 'work';
    labels.add('work-phone');
  } else if (p.mobile && r.bool(minor ? 0.2 : 0.55)) phone = 'mobile';
  const send = !ch(e.missingAddress);
  if (!send) labels.add('missing-address');
  const words = s.addressStyle === 'words' || (s.addressStyle === 'mixed' && r.bool(0.4));
  const aptLine1 = r.bool(e.aptLine1);
  const dropZip = ch(e.dropZip);
  const zip4 = r.bool(e.zip4);
  const streetTypos = new Map<number, string>();
  if (send && ch(e.streetTypo)) {
    const kind: TypoKind = r.bool(0.7) ? 'keyboard' : 'phonetic';
    const tr = r.child(7);
    p.addrs.forEach((a, i) => {
      const t = typoOf(kind, a.name, new Rand(derive(tr.u32(), i)));
      if (t !== a.name) streetTypos.set(i, t);
    });
  }
  const knowsName = p.nameChangeAt === undefined || (regAt >= p.nameChangeAt && r.bool(e.learnName + (1 - e.learnName) * 0.7));
  let addrIdx = 0;
  for (let i = 0; i < p.addrs.length; i++) if (p.addrs[i]!.from <= regAt) addrIdx = i;
  // A patient sometimes still gives the old address right after a move.
  if (addrIdx > 0 && r.bool(0.08)) addrIdx--;

  return {
    truth, s, p, seed, labels, given: { typed: givenTyped, clean: givenClean }, middle: middle ? { text: middle, labels: ml } : undefined, family, swap,
    ...(suffixIn ? { suffixIn } : {}), dob: { typed: { text: dob, labels: dl }, clean: p.dob }, sex, ...(ssn ? { ssn } : {}), phone,
    address: { send, aptLine1, dropZip, zip4, words, streetTypos }, knowsName, addrIdx, corrected: false, account: `${r.range(1, 9)}${pad(r.range(0, 99999999), 8)}`,
  };
}

// ============================================================================================== messages

function hl7Time(ms: number, tz: boolean): string {
  const d = new Date(FEED_START + ms);
  const s = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return tz ? `${s}+0000` : s;
}

function cx(s: AltSender, id: string, type: string): string {
  const e = hl7Escape(id);
  const f = s.pub.flavour;
  switch (f.cx4) {
    case 'full':
      return `${e}^^^${s.pub.namespace}&${s.pub.oid}&ISO^${type}`;
    case 'namespace':
      return `${e}^^^${s.pub.namespace}^${type}`;
    case 'oid':
      return `${e}^^^&${s.pub.oid}&ISO^${type}`;
    case 'empty':
      return `${e}^^^^${type}`;
  }
}

function streetLine(a: Addr, words: boolean, typoName: string | undefined): string {
  const w = (x: string) => (words ? (STREET_WORDS[x] ?? x) : x);
  return [a.num, a.dir ? w(a.dir) : '', typoName ?? a.name, w(a.type)].filter(Boolean).join(' ');
}
const unitText = (a: Addr) => (a.unit ? (a.unitKind === '#' ? `#${a.unit}` : `${a.unitKind} ${a.unit}`) : '');

function formatPhone(s: AltSender, n: string, use: string, equip: string): string {
  switch (s.phoneStyle) {
    case 'components':
      return `^${use}^${equip}^^1^${n.slice(0, 3)}^${n.slice(3)}`;
    case 'formatted':
      return `(${n.slice(0, 3)})${n.slice(3, 6)}-${n.slice(6)}^${use}^${equip}`;
    case 'digits':
      return `${n}^${use}^${equip}`;
    case 'none':
      return '';
  }
}

function renderMessage(m: Planned, controlId: string, persons: readonly P[]): { text: string; labels: Label[] } {
  const { copy } = m;
  const s = copy.s;
  const p = copy.p;
  const f = s.pub.flavour;
  const labels: Label[] = [];
  // State changes this message brings.
  if (m.learnsName) copy.knowsName = true;
  if (m.learnsMove) for (let i = 0; i < p.addrs.length; i++) if (p.addrs[i]!.from <= m.at) copy.addrIdx = i;
  if (m.corrects && !copy.corrected && (copy.given.typed !== copy.given.clean || copy.dob.typed.text !== copy.dob.clean || [...copy.family.values()].some((x) => x.typed.text !== x.clean.text))) {
    copy.corrected = true;
    labels.push('corrected');
  }

  const ts = hl7Time(m.at, s.tz);
  const v23 = s.version === '2.3';
  const structure = m.event === 'A40' ? 'ADT_A39' : m.event === 'A28' || m.event === 'A31' ? 'ADT_A05' : 'ADT_A01';
  const msh = ['MSH', '^~\\&', s.pub.application, s.pub.facility, 'MPI', 'MPI', ts, '', v23 ? `ADT^${m.event}` : `ADT^${m.event}^${structure}`, controlId, 'P', s.version];
  if (f.enhancedAck || f.charset) {
    msh.push('', '', f.enhancedAck ? 'AL' : '', f.enhancedAck ? 'NE' : '', 'USA', f.charset ?? '');
    while (msh[msh.length - 1] === '') msh.pop();
  }
  const segs = [msh.join('|'), `EVN|${m.event}|${ts}${v23 ? '' : `|||${s.pub.facility}`}`];

  // ---- PID
  const pid: string[] = ['PID', '1'];
  const ids = [cx(s, copy.truth.mrn, f.mrnType)];
  if (f.accountInPid3) ids.push(cx(s, copy.account, 'AN'));
  if (copy.ssn && f.ssn === 'pid3') {
    ids.push(f.cx4 === 'namespace' ? `${copy.ssn.text}^^^SSA^SS` : `${copy.ssn.text}^^^SSA&2.16.840.1.113883.4.1&ISO^SS`);
    labels.push(...copy.ssn.labels);
  }
  pid[3] = ids.join('~');

  const baseFamily = p.maiden && !copy.knowsName ? p.maiden : p.family;
  if (baseFamily !== p.family) labels.push('maiden-family');
  const fam = copy.family.get(baseFamily)!;
  const famT = copy.corrected ? fam.clean : fam.typed;
  const givT = copy.corrected ? copy.given.clean : copy.given.typed;
  labels.push(...famT.labels, ...givT.labels);
  let family = famT.text;
  let given = givT.text;
  let suffix = '';
  if (copy.suffixIn && p.suffix) {
    labels.push('suffix');
    const sx = copy.suffixIn === 'field' ? p.suffix : `${p.suffix}${s.version === '2.3' ? '.' : ''}`;
    if (copy.suffixIn === 'field') suffix = sx;
    else if (copy.suffixIn === 'family') family = `${family} ${sx}`;
    else given = `${given} ${sx}`;
  }
  if (copy.swap) {
    [family, given] = [given, family];
    labels.push('name-swap');
  }
  const cased = (x: string) => hl7Escape(f.nameCase === 'mixed' ? titleCase(x) : x);
  const xpn = (fa: string, gi: string, mi: string, sfx: string, type: string) => {
    const parts = [cased(fa), cased(gi), cased(mi), sfx, '', '', s.nameType ? type : ''];
    while (parts.length > 2 && parts[parts.length - 1] === '') parts.pop();
    return parts.join('^');
  };
  const names = [xpn(family, given, copy.middle?.text ?? '', suffix, 'L')];
  if (f.maidenRepetition && p.maiden && copy.knowsName) names.push(xpn(copy.family.get(p.maiden)!.clean.text, copy.given.clean.text, '', '', 'M'));
  pid[5] = names.join('~');

  const dobT = copy.corrected ? { text: copy.dob.clean, labels: [] } : copy.dob.typed;
  labels.push(...dobT.labels);
  pid[7] = dobT.text.replace(/-/g, '');
  pid[8] = copy.sex.text;
  labels.push(...copy.sex.labels);

  const a = p.addrs[copy.addrIdx]!;
  const current = p.addrs.filter((x) => x.from <= m.at).length - 1;
  if (copy.address.send) {
    if (copy.addrIdx < current) labels.push('stale-address');
    const street = streetLine(a, copy.address.words, copy.address.streetTypos.get(copy.addrIdx));
    if (copy.address.streetTypos.has(copy.addrIdx)) labels.push('typo-street');
    const unit = unitText(a);
    const line1 = unit && copy.address.aptLine1 ? `${street} ${unit}` : street;
    const line2 = unit && !copy.address.aptLine1 ? unit : '';
    if (unit && copy.address.aptLine1) labels.push('apt-line1');
    const zip = copy.address.dropZip ? '' : copy.address.zip4 ? `${a.zip}-${a.zip4}` : a.zip;
    if (copy.address.dropZip) labels.push('zip-missing');
    const city = f.nameCase === 'mixed' ? titleCase(a.city) : a.city;
    const typed = [f.nameCase === 'mixed' ? titleCase(line1) : line1, line2, city].map(hl7Escape);
    pid[11] = [...typed, a.state, zip, s.pub.kind === 'lab' ? '' : 'USA', 'H'].join('^').replace(/\^+$/, '');
    if (a.delimiter) labels.push('delimiter');
  }
  if (copy.phone !== 'none' && s.phoneStyle !== 'none') {
    const n = copy.phone === 'mobile' ? p.mobile! : copy.phone === 'work' ? p.work! : a.phone;
    pid[13] = formatPhone(s, n, 'PRN', copy.phone === 'mobile' ? 'CP' : 'PH');
    if (copy.phone === 'mobile' && !v23 && s.phoneStyle === 'components' && a.phone !== p.mobile) pid[13] += `~${formatPhone(s, a.phone, 'PRN', 'PH')}`;
  }
  if (s.pid14 && p.work && copy.phone !== 'work') pid[14] = formatPhone(s, p.work, 'WPN', 'PH');
  if (s.pid18) pid[18] = `V${copy.account}`;
  if (copy.ssn && (f.ssn === 'pid19' || f.ssn === 'pid19-dashed')) {
    const n = copy.ssn.text;
    pid[19] = f.ssn === 'pid19' ? n : `${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)}`;
    labels.push(...copy.ssn.labels);
  }
  segs.push(Array.from(pid, (x) => x ?? '').join('|'));

  // ---- next of kin for a minor
  const minor = yearOf(p.dob) >= 2006;
  if (s.nk1 && minor && m.kind !== 'merge') {
    const parent = p.parents.map((id) => persons[id]!).find((x) => x.sex === 'F') ?? (p.parents[0] !== undefined ? persons[p.parents[0]] : undefined);
    if (parent) segs.push(`NK1|1|${hl7Escape(parent.family)}^${hl7Escape(parent.given)}|${parent.sex === 'F' ? 'MTH^MOTHER' : 'FTH^FATHER'}^HL70063`);
  }

  if (m.kind === 'merge') {
    segs.push(`MRG|${cx(s, m.retired!.truth.mrn, f.mrnType)}`);
  } else if (m.event === 'A01') {
    segs.push(`PV1|1|I|${v23 ? '4W^412^B' : `4W^412^B^${s.pub.facility}`}|E|||1234567^WALKER^GRACE^^^DR|||MED`);
  } else if (m.event === 'A04') {
    segs.push(`PV1|1|${s.pub.kind === 'lab' ? 'O' : r2(p.id + m.at) ? 'E' : 'O'}|${s.pub.kind === 'lab' ? 'PSC' : 'ED'}`);
  } else if (m.event === 'A08') {
    segs.push('PV1|1|O');
  } else if (s.pv1OnPersonEvents) {
    segs.push('PV1|1|N');
  }
  return { text: segs.join('\r') + '\r', labels };
}

const r2 = (x: number) => (mix32(x >>> 0) & 1) === 1;

// ============================================================================================== generator

export function generateAltPopulation(opts: AltPopulationOptions): Population {
  if (!Number.isInteger(opts.persons) || opts.persons < 1) throw new Error('persons must be a positive integer');
  const root = new Rand(derive(opts.seed >>> 0, 0x0a17));
  const world = new World(root.child(1), opts.persons);
  world.build();
  const persons = world.persons;
  const senders = altSenders();
  const nick = buildNicknames(opts.nicknames);

  const records: SourceRecordTruth[] = [];
  const planned: Planned[] = [];
  const usedMrn = new Map<string, Set<string>>();
  let seq = 0;
  const plan = (x: Omit<Planned, 'seq'>) => planned.push({ ...x, seq: seq++ });
  const mrnFor = (s: AltSender, r: Rand) => {
    const used = usedMrn.get(s.pub.name) ?? new Set<string>();
    usedMrn.set(s.pub.name, used);
    for (;;) {
      const first = s.pub.mrn.digits > 6 ? String(r.range(1, 9)) : '';
      const mrn = `${s.pub.mrn.prefix}${first}${Array.from({ length: s.pub.mrn.digits - first.length }, () => r.range(0, 9)).join('')}`;
      if (!used.has(mrn)) {
        used.add(mrn);
        return mrn;
      }
    }
  };

  const newCopy = (s: AltSender, p: P, regAt: number, r: Rand, duplicate: boolean): Copy => {
    const truth: SourceRecordTruth = { sender: s.pub.name, oid: s.pub.oid, mrn: mrnFor(s, r), person: p.id, duplicate, mergedByA40: false, variations: [] };
    records.push(truth);
    return makeCopy(s, p, world, truth, regAt, r, nick, duplicate ? 2 : 1);
  };

  const copies: Copy[] = [];
  // Same-sender duplicates stay rare: at most 1 % of the persons a sender is expected to know.
  const dupCap = new Map(senders.map((s) => [s.pub.name, Math.floor(0.01 * s.pub.coverage * persons.length)]));
  const dupCount = new Map<string, number>();
  for (const p of persons) {
    const pr = new Rand(derive(opts.seed >>> 0, 0x5e4d, p.id));
    const age = 2024 - yearOf(p.dob);
    let chosen = senders.filter((s) => pr.bool(s.pub.coverage * (s.pub.kind === 'lab' && age < 18 ? 0.5 : 1) * (s.pub.name === 'NORTHSIDE' && age > 70 ? 0.5 : 1)));
    if (!chosen.length) chosen = [senders[pr.range(0, senders.length - 1)]!];
    for (const s of chosen) {
      const r = new Rand(derive(opts.seed >>> 0, strHash(s.pub.name), p.id));
      const e = s.err;
      const regAt = Math.floor(SPAN * 0.85 * r.float()) + 60_000;
      const copy = newCopy(s, p, regAt, r, false);
      copies.push(copy);
      plan({ at: regAt, copy, kind: 'reg', event: r.pick(s.pub.flavour.registration) });
      const nUpd = r.draw(weighted([[0, e.updates[0]], [1, e.updates[1]], [2, e.updates[2]]] as const));
      const times = Array.from({ length: nUpd }, () => regAt + 3_600_000 + Math.floor((SPAN - regAt - 3_600_000) * r.float())).sort((x, y) => x - y);
      let last = regAt;
      for (const t0 of times) {
        const t = Math.max(t0, last + 60_000);
        last = t;
        const moved = p.addrs.some((a) => a.from > regAt && a.from <= t);
        const renamed = p.nameChangeAt !== undefined && t >= p.nameChangeAt;
        plan({
          at: t, copy, kind: 'upd', event: s.pub.flavour.update,
          learnsMove: moved && r.bool(e.learnMove), learnsName: renamed && r.bool(e.learnName), corrects: r.bool(e.corrects),
        });
      }
      const k = dupCount.get(s.pub.name) ?? 0;
      if (r.bool(e.duplicate) && k < dupCap.get(s.pub.name)!) {
        dupCount.set(s.pub.name, k + 1);
        const dupAt = regAt + 3_600_000 + Math.floor((SPAN - regAt - 3_600_000) * 0.7 * r.float());
        const dup = newCopy(s, p, dupAt, r, true);
        copies.push(dup);
        plan({ at: dupAt, copy: dup, kind: 'reg', event: r.pick(s.pub.flavour.registration) });
        // The sender's A40 share is met by quota (the k-th duplicate is merged when the running share falls short).
        if (Math.round((k + 1) * e.a40) - Math.round(k * e.a40) === 1) {
          const mergeAt = dupAt + 600_000 + Math.floor((SPAN - dupAt - 600_000) * 0.6 * r.float());
          dup.truth.mergedByA40 = true;
          plan({ at: mergeAt, copy, kind: 'merge', event: 'A40', retired: dup });
        } else if (r.bool(0.3)) {
          plan({ at: dupAt + Math.floor((SPAN - dupAt) * r.float()) + 1000, copy: dup, kind: 'upd', event: s.pub.flavour.update });
        }
      }
    }
  }

  // ---- time order; per-sender control ids in that order
  planned.sort((x, y) => x.at - y.at || x.seq - y.seq);
  const counters = new Map<string, number>();
  const messages: PopulationMessage[] = [];
  const seenSender = new Map<string, number>();
  for (const m of planned) {
    const s = m.copy.s;
    const n = (counters.get(s.pub.name) ?? 0) + 1;
    counters.set(s.pub.name, n);
    const controlId = s.pub.name === 'BAYOU' ? `${hl7Time(m.at, false).slice(0, 8)}${pad(n, 7)}` : `${s.pub.controlIdPrefix}${pad(n, 8)}`;
    const { text, labels } = renderMessage(m, controlId, persons);
    // A merge's PID speaks for the survivor; its labels are the survivor's.
    for (const l of labels) m.copy.labels.add(l);
    const out: PopulationMessage = { sender: s.pub.name, controlId, event: m.event, text, oid: s.pub.oid, mrn: m.copy.truth.mrn, person: m.copy.p.id, at: m.at };
    if (m.retired) out.retired = m.retired.truth.mrn;
    messages.push(out);
    seenSender.set(s.pub.name, (seenSender.get(s.pub.name) ?? 0) + 1);
  }
  for (const c of copies) c.truth.variations = [...c.labels].sort() as Variation[];

  const outPersons: Person[] = persons.map((p) => {
    const addresses: PersonAddress[] = p.addrs.map((a) => ({
      from: a.from,
      street: streetLine(a, false, undefined),
      ...(a.unit ? { other: unitText(a) } : {}),
      city: a.city,
      state: a.state,
      zip: a.zip,
      phone: a.phone,
    }));
    return {
      id: p.id,
      household: p.household,
      family: p.family,
      ...(p.maiden ? { maidenFamily: p.maiden } : {}),
      ...(p.nameChangeAt !== undefined ? { nameChangeAt: p.nameChangeAt } : {}),
      given: p.given,
      ...(p.middle ? { middle: p.middle } : {}),
      ...(p.suffix ? { suffix: p.suffix } : {}),
      sex: p.sex,
      birthDate: p.dob,
      ...(p.ssn ? { ssn: p.ssn } : {}),
      ...(p.mobile ? { mobile: p.mobile } : {}),
      addresses,
      tags: [...p.tags].sort() as PersonTag[],
      ...(p.twinOf !== undefined ? { twinOf: p.twinOf } : {}),
      ...(p.jsOf !== undefined ? { juniorSeniorOf: p.jsOf } : {}),
    };
  });

  const n = persons.length;
  const married = persons.filter((p) => p.sex === 'F' && yearOf(p.dob) <= 2005).length;
  const rates: HardCaseRates = {
    twins: world.twinPairs.length / n,
    juniorSenior: world.jsPairs.length / n,
    commonName: persons.filter((p) => p.tags.has('common-name')).length / n,
    marriedNameChange: married ? persons.filter((p) => p.tags.has('name-change')).length / married : 0,
    move: world.households.length ? world.movedHouseholds / world.households.length : 0,
    delimiter: world.delimiterPersons / n,
  };

  return {
    seed: opts.seed,
    rates,
    senders: senders.map((s) => s.pub),
    persons: outPersons,
    households: world.households,
    records,
    messages,
    twinPairs: world.twinPairs,
    juniorSeniorPairs: world.jsPairs,
  };
}

/** Same-sender duplicates per sender (and how many an A40 resolves), for logs. */
export function altDuplicateSummary(p: Population): Record<string, { records: number; duplicates: number; mergedByA40: number }> {
  const out: Record<string, { records: number; duplicates: number; mergedByA40: number }> = {};
  for (const r of p.records) {
    const x = (out[r.sender] ??= { records: 0, duplicates: 0, mergedByA40: 0 });
    x.records++;
    if (r.duplicate) x.duplicates++;
    if (r.mergedByA40) x.mergedByA40++;
  }
  return out;
}
