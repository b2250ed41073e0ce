import { Layout, Notice, type Frame } from './layout.js';
import { SEX } from './words.js';

export interface SearchForm {
  family: string;
  given: string;
  birthdate: string;
  system: string;
  value: string;
}

export interface SearchHit {
  id: string;
  name: string;
  birthDate: string | null;
  sex: string | null;
  identifiers: Array<{ label: string; value: string; retired: boolean }>;
}

export function SearchPage(props: { frame: Frame; form: SearchForm; authorities: Array<{ value: string; label: string }>; hits?: SearchHit[]; total?: number; error?: string }) {
  const f = props.form;
  return (
    <Layout title="Find a patient" frame={props.frame}>
      <h1>Find a patient</h1>
      <p class="muted intro">Searches golden records as PDQm does: a name starts with what you type (case, accents and punctuation ignored); a birth date may be a year, a month or a day.</p>
      <form method="get" action="/ui/search" class="filters" aria-label="Search">
        <div class="field">
          <label for="s-family">Family name</label>
          <input id="s-family" name="family" value={f.family} autocomplete="off" />
        </div>
        <div class="field">
          <label for="s-given">First name</label>
          <input id="s-given" name="given" value={f.given} autocomplete="off" />
        </div>
        <div class="field">
          <label for="s-birthdate">Date of birth</label>
          <input id="s-birthdate" name="birthdate" value={f.birthdate} placeholder="YYYY-MM-DD" autocomplete="off" aria-describedby="s-birthdate-help" />
          <span id="s-birthdate-help" class="visually-hidden">
            a year (1980), a month (1980-04) or a day (1980-04-17)
          </span>
        </div>
        <div class="field">
          <label for="s-system">Identifier source</label>
          <select id="s-system" name="system">
            <option value="">Any</option>
            {props.authorities.map((a) => (
              <option value={a.value} selected={a.value === f.system}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="s-value">Identifier</label>
          <input id="s-value" name="value" value={f.value} autocomplete="off" />
        </div>
        <div class="field actions">
          <button type="submit" class="btn primary">
            Search
          </button>
        </div>
      </form>
      <Notice kind="error" text={props.error} />
      {props.hits ? (
        <section aria-labelledby="results-h">
          <h2 id="results-h">{`${props.total ?? props.hits.length} ${props.total === 1 ? 'person found' : 'people found'}${(props.total ?? 0) > props.hits.length ? ` (first ${props.hits.length} shown)` : ''}`}</h2>
          {props.hits.length ? (
            <table class="results">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Born</th>
                  <th scope="col">Sex</th>
                  <th scope="col">Identifiers</th>
                </tr>
              </thead>
              <tbody>
                {props.hits.map((h) => (
                  <tr>
                    <td>
                      <a href={`/ui/golden/${h.id}`}>{h.name || '(no name)'}</a>
                    </td>
                    <td>{h.birthDate ?? '—'}</td>
                    <td>{h.sex ? (SEX[h.sex] ?? h.sex) : '—'}</td>
                    <td>
                      {h.identifiers.map((i, n) => (
                        <span class={i.retired ? 'retired' : ''}>
                          {n ? ' · ' : ''}
                          {i.label} <code>{i.value}</code>
                          {i.retired ? ' (retired)' : ''}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="empty">Nobody matches.</p>
          )}
        </section>
      ) : null}
    </Layout>
  );
}
