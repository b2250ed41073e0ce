import type { listEntry, ReviewStatus } from '../linkage/review-queue.js';
import { Layout, Notice, type Frame } from './layout.js';
import { age, percent, reasonShort, reasonText } from './words.js';

export type QueueEntry = ReturnType<typeof listEntry>;

/** The queue's filters as the form holds them (strings, '' = not set). */
export interface QueueForm {
  status: ReviewStatus;
  authority: string;
  minScore: string;
  maxScore: string;
  sort: string;
}

const SORTS: Array<[string, string]> = [
  ['age', 'Oldest first'],
  ['-age', 'Newest first'],
  ['-score', 'Highest score first'],
  ['score', 'Lowest score first'],
];

const STATUS_LABEL: Record<ReviewStatus, string> = { open: 'Open', resolved: 'Resolved', superseded: 'Superseded' };

/** The query string of a queue view (filters and sort, no cursor): carried to the pair view and back. */
export function queueQuery(f: Partial<QueueForm>): string {
  const q = new URLSearchParams();
  for (const k of ['status', 'authority', 'minScore', 'maxScore', 'sort'] as const) {
    const v = f[k];
    if (v !== undefined && v !== '' && !(k === 'status' && v === 'open') && !(k === 'sort' && v === 'age')) q.set(k, v);
  }
  return q.toString();
}

const withQuery = (path: string, qs: string) => (qs ? `${path}?${qs}` : path);

function Who(props: { r: { system: string | null; authority: string | null; value: string | null; name: string | null; birthDate: string | null } }) {
  const r = props.r;
  return (
    <div class="who-cell">
      <span class="name">{r.name ?? '(no name)'}</span>
      <span class="muted">{` · born ${r.birthDate ?? '—'}`}</span>
      <br />
      <span class="ident">
        {r.authority ?? r.system ?? '?'} <code>{r.value ?? '?'}</code>
      </span>
    </div>
  );
}

export function QueuePage(props: {
  frame: Frame;
  items: QueueEntry[];
  total: number;
  nextCursor: string | null;
  counts: Record<ReviewStatus, number>;
  form: QueueForm;
  authorities: Array<{ value: string; label: string }>;
  paged: boolean;
  flash?: string;
  error?: string;
}) {
  const { form } = props;
  const qs = queueQuery(form);
  const statusHref = (s: ReviewStatus) => withQuery('/ui/queue', queueQuery({ ...form, status: s }));
  return (
    <Layout title="Review queue" frame={props.frame}>
      <div class="page-head">
        <h1>Review queue</h1>
        <p class="counts" aria-label="Items by status, with the filters below">
          {(['open', 'resolved', 'superseded'] as const).map((s) => (
            <a href={statusHref(s)} class={s === form.status ? 'count current' : 'count'} aria-current={s === form.status ? 'true' : undefined}>
              {STATUS_LABEL[s]} <strong>{props.counts[s]}</strong>
            </a>
          ))}
        </p>
      </div>
      <Notice kind="info" text={props.flash} />
      <Notice kind="error" text={props.error} />
      <form method="get" action="/ui/queue" class="filters" aria-label="Filter and sort the queue">
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            {(['open', 'resolved', 'superseded'] as const).map((s) => (
              <option value={s} selected={s === form.status}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-authority">Source</label>
          <select id="f-authority" name="authority">
            <option value="">Any source</option>
            {props.authorities.map((a) => (
              <option value={a.value} selected={a.value === form.authority}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-min">Score from</label>
          <input id="f-min" name="minScore" type="number" min="0" max="1" step="0.01" inputmode="decimal" value={form.minScore} placeholder="0" />
        </div>
        <div class="field">
          <label for="f-max">to</label>
          <input id="f-max" name="maxScore" type="number" min="0" max="1" step="0.01" inputmode="decimal" value={form.maxScore} placeholder="1" />
        </div>
        <div class="field">
          <label for="f-sort">Order</label>
          <select id="f-sort" name="sort">
            {SORTS.map(([v, l]) => (
              <option value={v} selected={v === form.sort}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div class="field actions">
          <button type="submit" class="btn">
            Apply
          </button>
          <a href="/ui/queue" class="btn subtle">
            Reset
          </a>
        </div>
      </form>
      <p class="summary" id="queue-summary">
        {`${props.total} ${props.total === 1 ? 'item matches' : 'items match'}`}
        {props.paged ? ' (a later page)' : ''}
        <span class="muted"> · keys: j / k move, Enter opens</span>
      </p>
      {props.items.length ? (
        <table class="queue" aria-describedby="queue-summary">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" class="num">
                Score
              </th>
              <th scope="col">This record</th>
              <th scope="col">May be the same person as</th>
              <th scope="col">Why it is asked</th>
              <th scope="col">Waiting</th>
            </tr>
          </thead>
          <tbody data-rows="">
            {props.items.map((i) => (
              <tr data-row="" data-id={i.id}>
                <td>
                  <a class="row-link" href={withQuery(`/ui/items/${i.id}`, qs)}>
                    {`#${i.id}`}
                  </a>
                  {i.status !== 'open' ? <span class="muted">{` ${i.decision ?? i.status}`}</span> : null}
                </td>
                <td class="num score">
                  <meter min={0} max={1} low={0.5} high={0.995} optimum={1} value={i.score} aria-hidden="true"></meter> {percent(i.score)}
                </td>
                <td>
                  <Who r={i.sourceRecord} />
                </td>
                <td>
                  <Who r={i.candidate} />
                </td>
                <td>
                  <ul class="reasons compact">
                    {i.reasons.map((r) => (
                      <li title={reasonText(r)}>{reasonShort(r)}</li>
                    ))}
                  </ul>
                </td>
                <td>{age(i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="empty">Nothing to review with these filters.</p>
      )}
      <nav class="pager" aria-label="Pages">
        {props.paged ? (
          <a class="btn subtle" href={withQuery('/ui/queue', qs)}>
            ← First page
          </a>
        ) : null}
        {props.nextCursor ? (
          <a class="btn" rel="next" href={`/ui/queue?${new URLSearchParams([...new URLSearchParams(qs), ['cursor', props.nextCursor]]).toString()}`}>
            Next page →
          </a>
        ) : null}
      </nav>
    </Layout>
  );
}
