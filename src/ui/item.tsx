import type { reviewItemDetail } from '../linkage/review-queue.js';
import { canDecide, Layout, Notice, type Frame } from './layout.js';
import { WaterfallChart, WaterfallTable } from './waterfall.js';
import { fieldName, linkKindText, percent, reasonShort, reasonText, SEX, signed } from './words.js';

export type ItemDetail = NonNullable<Awaited<ReturnType<typeof reviewItemDetail>>>;
type RecordView = NonNullable<ItemDetail['sourceRecord']>;

const withQuery = (path: string, qs: string) => (qs ? `${path}?${qs}` : path);

function shownValue(field: string, v: string | null) {
  if (v === null) return <span class="missing">not given</span>;
  if (field === 'sex') return `${v}${SEX[v] ? ` (${SEX[v]})` : ''}`;
  return v;
}

function RecordHead(props: { r: RecordView | null; label: string }) {
  const r = props.r;
  if (!r) return <th scope="col">{props.label}: (record gone)</th>;
  return (
    <th scope="col">
      <span class="col-label">{props.label}</span>
      <br />
      {r.authority ?? r.system ?? '?'} <code>{r.value}</code>
      {r.identifierType ? <span class="muted">{` (${r.identifierType})`}</span> : null}
      <br />
      <span class="muted small">
        {`${r.status === 'active' ? '' : `${r.status} · `}sent by ${r.sender ?? '?'} · ${linkKindText(r.linkKind)}`}
      </span>
    </th>
  );
}

/** A resolved item's decision in words (also the flash after deciding: routes.tsx). */
export const decisionWords = (d: string) => (d === 'match' ? 'match' : d === 'merge' ? 'golden records merged' : 'not a match');

export function ItemPage(props: {
  frame: Frame;
  item: ItemDetail;
  queueQs: string;
  neighbours: { previous: number | null; next: number | null };
  flash?: string;
}) {
  const { item, queueQs, neighbours } = props;
  const session = props.frame.session!;
  const decide = canDecide(session);
  const open = item.status === 'open';
  // Asked beside a link (decide.ts alsoAsk): the record is in a golden record with others, and the question is
  // whether the two golden records are one person.
  const besideLink = item.reasons.includes('linked-elsewhere');
  const next = neighbours.next === null ? withQuery('/ui/queue', queueQs) : withQuery(`/ui/items/${neighbours.next}`, queueQs);
  const golden = item.candidate.golden;
  const fields = item.fields.filter((f) => f.source !== null || f.candidate !== null || f.golden !== null);
  const differing = fields.filter((f) => f.same === false).length;
  return (
    <Layout title={`Review item #${item.id}`} frame={props.frame}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={withQuery('/ui/queue', queueQs)}>Review queue</a> › <span aria-current="page">{`Item #${item.id}`}</span>
      </nav>
      <div class="page-head">
        <h1>
          Is this the same person? <span class={`status ${item.status}`}>{item.status}</span>
        </h1>
        <p class="score-line">
          Match probability <strong class="big">{percent(item.score)}</strong>
          <span class="muted">{` · match weight ${signed(item.weight, 2)} · model v${item.model.version}`}</span>
        </p>
      </div>
      <Notice kind="info" text={props.flash} />
      {item.stale ? (
        <p class="message warning" role="note">
          One of the records changed after this pair was scored: the score below is the one the engine gave then. Compare the records as they are now.
        </p>
      ) : null}
      <section class="reasons-box" aria-labelledby="why-h">
        <h2 id="why-h">Why you are asked</h2>
        <ul class="reasons">
          {item.reasons.map((r) => (
            <li>
              <strong>{reasonShort(r)}</strong>: {reasonText(r)}
            </li>
          ))}
        </ul>
      </section>
      <div class="pair-grid">
        <section aria-labelledby="records-h">
          <h2 id="records-h">
            The two records side by side{' '}
            <span class="muted small">{`(${differing} ${differing === 1 ? 'field differs' : 'fields differ'})`}</span>
          </h2>
          <table class="pair">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <RecordHead r={item.sourceRecord} label="This record" />
                <RecordHead r={item.candidate.bestMember} label="Closest record of the person" />
                <th scope="col">
                  <span class="col-label">The person now</span>
                  <br />
                  <a href={`/ui/golden/${item.candidate.goldenId}`}>golden record</a>
                  <br />
                  <span class="muted small">what survived, field by field</span>
                </th>
                <th scope="col">
                  <span class="visually-hidden">Same or different</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr class={f.same === false ? 'differs' : f.same === true ? 'same' : 'unknown'} data-field={f.field}>
                  <th scope="row">{fieldName(f.field)}</th>
                  <td>{shownValue(f.field, f.source)}</td>
                  <td>{shownValue(f.field, f.candidate)}</td>
                  <td class="golden-col">{shownValue(f.field, f.golden)}</td>
                  <td class="verdict">{f.same === false ? '≠ differs' : f.same === true ? '= same' : '— can’t compare'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {golden ? (
            <p class="members small">
              {`The person (golden record${golden.status === 'merged' ? ', since merged' : ''}) holds ${golden.members.length} ${golden.members.length === 1 ? 'record' : 'records'}: `}
              {golden.members.map((m, i) => (
                <span>
                  {i ? ', ' : ''}
                  {m.authority ?? m.system} <code>{m.value}</code>
                  {m.status !== 'active' ? ` (${m.status})` : ''}
                </span>
              ))}
              {item.sourceRecord?.goldenId ? (
                besideLink ? (
                  <span>
                    {'. This record is linked to '}
                    <a href={`/ui/golden/${item.sourceRecord.goldenId}`}>another golden record</a>
                    {', which it matches far better.'}
                  </span>
                ) : (
                  <span>
                    {'. This record waits in '}
                    <a href={`/ui/golden/${item.sourceRecord.goldenId}`}>a golden record of its own</a>.
                  </span>
                )
              ) : null}
            </p>
          ) : null}
        </section>
        <section class="decide" aria-labelledby="decide-h">
          <h2 id="decide-h">Your decision</h2>
          {!decide ? (
            <p class="message warning readonly" role="note" id="readonly-note">
              Read only: you signed in with a reader key, which can view but not decide. Sign in with a steward key to decide.
            </p>
          ) : null}
          {!open ? (
            <p class="message info" role="note">
              {`This item is ${item.status}${item.decision ? `: ${decisionWords(item.decision)}` : ''}${item.decidedBy ? ` by ${item.decidedBy}` : ''}${item.decidedAt ? ` on ${item.decidedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}.`}
              {item.note ? (
                <>
                  <br />
                  Note: {item.note}
                </>
              ) : null}
            </p>
          ) : null}
          <form id="decision" method="post" action={`/ui/items/${item.id}/decision`} data-open={open && decide ? 'true' : 'false'}>
            <input type="hidden" name="_csrf" value={session.csrf} />
            <input type="hidden" name="version" value={String(item.version)} />
            <input type="hidden" name="back" value={queueQs} />
            <label for="note">Note (optional)</label>
            <textarea id="note" name="note" rows={3} maxlength={2000} disabled={!open || !decide} aria-describedby={!decide ? 'readonly-note' : undefined}></textarea>
            <div class="buttons">
              <button type="submit" name="decision" value="match" class="btn match" disabled={!open || !decide} aria-keyshortcuts="m">
                <kbd>m</kbd> Match: same person
              </button>
              <button type="submit" name="decision" value="non-match" class="btn nonmatch" disabled={!open || !decide} aria-keyshortcuts="n">
                <kbd>n</kbd> Not a match
              </button>
              {besideLink ? (
                <button type="submit" name="decision" value="merge" class="btn match" disabled={!open || !decide} aria-keyshortcuts="g">
                  <kbd>g</kbd> Merge: both golden records are this person
                </button>
              ) : null}
              <a class="btn subtle" href={next} data-shortcut="s" aria-keyshortcuts="s">
                <kbd>s</kbd> Skip
              </a>
            </div>
          </form>
          <p class="shortcuts small muted">
            Keys: <kbd>m</kbd> match · <kbd>n</kbd> not a match ·{besideLink ? <> <kbd>g</kbd> merge ·</> : null} <kbd>s</kbd> skip · <kbd>j</kbd> next · <kbd>k</kbd> previous · <kbd>Esc</kbd> leaves the note
          </p>
          <nav class="step" aria-label="Step through the queue">
            {neighbours.previous !== null ? (
              <a href={withQuery(`/ui/items/${neighbours.previous}`, queueQs)} data-shortcut="k" rel="prev">
                ← previous
              </a>
            ) : (
              <span class="muted">first in the queue</span>
            )}
            {neighbours.next !== null ? (
              <a href={withQuery(`/ui/items/${neighbours.next}`, queueQs)} data-shortcut="j" rel="next">
                next →
              </a>
            ) : (
              <span class="muted">last in the queue</span>
            )}
          </nav>
        </section>
      </div>
      <section aria-labelledby="score-h" class="score-section">
        <h2 id="score-h">How the engine scored the pair</h2>
        <WaterfallChart ex={item.explanation} thresholds={item.model.thresholds} />
        <WaterfallTable ex={item.explanation} />
      </section>
    </Layout>
  );
}
