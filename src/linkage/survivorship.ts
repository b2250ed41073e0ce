import type { Demographics } from '../ingest/demographics.js';
import type { MemberRow, Survive } from './store.js';

/**
 * Golden-record survivorship: each field of the golden record is taken from one member, chosen per field by
 * a rule, and the member is recorded as that field's provenance.
 *   trust    the member whose assigning authority has the highest trustRank (config), then the most recent;
 *   recent   the member updated by the latest message;
 *   complete the member with the most complete value (a full date over a year; a name with more parts;
 *            an address with more lines), then the most recent.
 * Only members that have a value for the field compete, so a lab that sends no address never blanks the
 * golden record's address.
 */
export const SURVIVING_FIELDS = ['names', 'birthDate', 'sex', 'addresses', 'phones', 'ssn', 'mothersMaidenName', 'deceased'] as const;
export type SurvivingField = (typeof SURVIVING_FIELDS)[number];
export type SurvivorshipRule = 'trust' | 'recent' | 'complete';

export interface SurvivorshipConfig {
  default: SurvivorshipRule;
  fields: Partial<Record<SurvivingField, SurvivorshipRule>>;
}

/** Filled parts among these keys (a name's type or an address's country is not a part). */
const filled = (o: Record<string, unknown>, parts: readonly string[]) => parts.filter((k) => typeof o[k] === 'string' && (o[k] as string).trim() !== '').length;
const NAME_PARTS = ['family', 'given', 'middle', 'suffix', 'prefix'] as const;
const ADDRESS_PARTS = ['street', 'other', 'city', 'state', 'zip'] as const;

/** How much of the field a member has: 0 = nothing (the member does not compete). */
function completeness(field: SurvivingField, d: Demographics): number {
  switch (field) {
    case 'names':
      return d.names.length ? filled(d.names[0]!, NAME_PARTS) * 10 + d.names.length : 0;
    case 'birthDate':
      return d.birthDate ? { year: 1, month: 2, day: 3 }[d.birthDatePrecision ?? 'day'] : 0;
    case 'sex':
      return d.sex && d.sex !== 'U' ? 1 : 0;
    case 'addresses':
      return d.addresses.length ? filled(d.addresses[0]!, ADDRESS_PARTS) * 10 + d.addresses.length : 0;
    case 'phones':
      return d.phones.length;
    case 'ssn':
      return d.ssn ? 1 : 0;
    case 'mothersMaidenName':
      return d.mothersMaidenName ? 1 : 0;
    case 'deceased':
      return d.deceased === undefined ? 0 : d.deathDate ? 2 : 1;
  }
}

function copy(field: SurvivingField, from: Demographics, to: Demographics) {
  switch (field) {
    case 'birthDate':
      to.birthDate = from.birthDate ?? null;
      if (from.birthDatePrecision) to.birthDatePrecision = from.birthDatePrecision;
      return;
    case 'deceased':
      if (from.deceased !== undefined) to.deceased = from.deceased;
      if (from.deathDate) to.deathDate = from.deathDate;
      return;
    case 'names':
    case 'addresses':
    case 'phones':
      // Copies: the golden record's fields must not alias a member's.
      to[field] = from[field].map((x) => ({ ...x })) as never;
      return;
    default:
      (to as Record<string, unknown>)[field] = from[field];
  }
}

export function survivorship(config: SurvivorshipConfig, trustRank: (authorityId: number) => number): Survive {
  return (members: readonly MemberRow[]) => {
    const out: Demographics = { v: 1, names: [], addresses: [], phones: [] };
    const provenance: Record<string, number> = {};
    const recency = (m: MemberRow) => m.lastMessageId ?? 0;
    for (const field of SURVIVING_FIELDS) {
      const rule = config.fields[field] ?? config.default;
      let best: MemberRow | undefined;
      let bestKey: [number, number, number] | undefined;
      for (const m of members) {
        const c = completeness(field, m.demographics);
        if (c === 0) continue;
        const primary = rule === 'trust' ? trustRank(m.authorityId) : rule === 'complete' ? c : 0;
        const key: [number, number, number] = [primary, recency(m), m.id];
        if (!bestKey || key[0] > bestKey[0] || (key[0] === bestKey[0] && (key[1] > bestKey[1] || (key[1] === bestKey[1] && key[2] > bestKey[2])))) {
          best = m;
          bestKey = key;
        }
      }
      if (!best) continue;
      copy(field, best.demographics, out);
      provenance[field] = best.id;
    }
    return { demographics: out, provenance };
  };
}
