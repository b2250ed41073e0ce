import type { GoldenRecordView } from '../api/golden-records.js';
import { Layout, type Frame } from './layout.js';
import { linkKindText, percent, reasonShort, reasonText, SEX } from './words.js';

type Demo = NonNullable<GoldenRecordView['demographics']>;

/** The survived view, row by row, each with the provenance key survivorship records for it. */
function survivedRows(d: Demo): Array<[label: string, value: string | null, provenanceKey: string]> {
  const n = d.names[0];
  const a = d.addresses[0];
  const p = d.phones[0];
  const address = a ? [a.street, a.other, a.city, a.state, a.zip].filter(Boolean).join(', ') : null;
  return [
    ['Family name', n?.family ?? null, 'names'],
    ['First name', n?.given ?? null, 'names'],
    ['Middle name', n?.middle ?? null, 'names'],
    ['Suffix', n?.suffix ?? null, 'names'],
    ['Date of birth', d.birthDate ?? null, 'birthDate'],
    ['Sex', d.sex ? `${d.sex}${SEX[d.sex] ? ` (${SEX[d.sex]})` : ''}` : null, 'sex'],
    ['Address', address || null, 'addresses'],
    ['Phone', p?.number ?? null, 'phones'],
    ['SSN (last 4)', d.ssnLast4 ?? null, 'ssn'],
    ["Mother's maiden name", d.mothersMaidenName ?? null, 'mothersMaidenName'],
    ['Deceased', d.deceased === undefined ? null : d.deceased ? `yes${d.deathDate ? `, ${d.deathDate}` : ''}` : 'no', 'deceased'],
  ];
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

export function GoldenPage(props: { frame: Frame; g: GoldenRecordView; label: (system: string | null) => string }) {
  const { g, label } = props;
  const d = g.demographics;
  const n = d?.names[0];
  const title = n ? [n.given, n.family].filter(Boolean).join(' ') || 'Golden record' : 'Golden record';
  const active = g.sourceRecords.filter((s) => s.status === 'active').length;
  return (
    <Layout title={title} frame={props.frame}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/ui/search">Find a patient</a> › <span aria-current="page">Golden record</span>
      </nav>
      <div class="page-head">
        <h1>
          {title} <span class={`status ${g.status}`}>{g.status}</span>
        </h1>
        <p class="muted">
          {`Golden record ${g.id} · ${active} active ${active === 1 ? 'record' : 'records'} · version ${g.version} · updated ${when(g.updatedAt)}`}
        </p>
      </div>
      {g.mergedIntoId ? (
        <p class="message warning" role="note">
          This golden record was merged into <a href={`/ui/golden/${g.mergedIntoId}`}>{g.mergedIntoId}</a>: its records are there now.
        </p>
      ) : null}
      <div class="golden-grid">
        <section aria-labelledby="survived-h">
          <h2 id="survived-h">What survived, and from where</h2>
          {d ? (
            <table class="survived">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Value</th>
                  <th scope="col">Taken from</th>
                </tr>
              </thead>
              <tbody>
                {survivedRows(d)
                  .filter(([, v]) => v !== null)
                  .map(([l, v, key]) => {
                    const p = g.provenance[key] ?? g.provenance.all;
                    return (
                      <tr>
                        <th scope="row">{l}</th>
                        <td>{v}</td>
                        <td>
                          {p ? (
                            <span>
                              {label(p.system)} <code>{p.identifier}</code>
                            </span>
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          ) : (
            <p class="muted">No demographics yet.</p>
          )}
        </section>
        <section aria-labelledby="open-h">
          <h2 id="open-h">Open questions</h2>
          {g.reviewItems.length ? (
            <ul class="open-items">
              {g.reviewItems.map((r) => (
                <li>
                  <a href={`/ui/items/${r.id}`}>{`Review item #${r.id}`}</a>
                  {` · ${percent(r.probability)} · `}
                  {r.reasons.map((x, i) => (
                    <span title={reasonText(x)}>
                      {i ? ', ' : ''}
                      {reasonShort(x)}
                    </span>
                  ))}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No open review items.</p>
          )}
        </section>
      </div>
      <section aria-labelledby="sources-h">
        <h2 id="sources-h">Its records</h2>
        <table class="sources">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Identifier</th>
              <th scope="col">Name</th>
              <th scope="col">Born</th>
              <th scope="col">How it got here</th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col">Since</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {g.sourceRecords.map((s) => {
              const sn = s.demographics.names[0];
              return (
                <tr class={s.status === 'active' ? '' : 'retired'}>
                  <td>{label(s.system)}</td>
                  <td>
                    <code>{s.identifier}</code>
                    {s.type ? <span class="muted">{` ${s.type}`}</span> : null}
                  </td>
                  <td>{sn ? [sn.given, sn.family].filter(Boolean).join(' ') : '—'}</td>
                  <td>{s.demographics.birthDate ?? '—'}</td>
                  <td>{linkKindText(s.linkKind)}</td>
                  <td class="num">{s.score === null ? '—' : percent(s.score)}</td>
                  <td>{when(s.since)}</td>
                  <td>{s.status === 'active' ? 'active' : `retired by its source${s.mergedIntoId ? ` into record ${s.mergedIntoId}` : ''}`}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">Link history</h2>
        <table class="history">
          <thead>
            <tr>
              <th scope="col">Linked</th>
              <th scope="col">Record</th>
              <th scope="col">How</th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col">Ended</th>
              <th scope="col">Why it ended</th>
            </tr>
          </thead>
          <tbody>
            {g.links.map((l) => (
              <tr class={l.removedAt ? 'retired' : ''}>
                <td>{when(l.createdAt)}</td>
                <td>
                  {label(l.system)} <code>{l.identifier}</code>
                </td>
                <td>{`${linkKindText(l.kind)}${l.modelVersion ? ` (model v${l.modelVersion})` : ''}`}</td>
                <td class="num">{l.score === null ? '—' : percent(l.score)}</td>
                <td>{l.removedAt ? when(l.removedAt) : <span class="muted">current</span>}</td>
                <td>{l.removedReason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
