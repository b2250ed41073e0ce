import type { Child } from 'hono/jsx';
import { hasRole } from '../api/auth.js';
import type { UiSession } from './sessions.js';

/** What every page needs to draw its frame: who is signed in (and their CSRF token), which section is current. */
export interface Frame {
  session?: UiSession;
  section?: 'queue' | 'search' | 'golden' | 'sign-in';
}

export const canDecide = (s: UiSession | undefined) => !!s && hasRole(s.key, 'steward');

export function Layout(props: { title: string; frame: Frame; children?: Child; refresh?: { seconds: number; to: string } }) {
  const { session, section } = props.frame;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        {props.refresh ? <meta http-equiv="refresh" content={`${props.refresh.seconds};url=${props.refresh.to}`} /> : null}
        <title>{`${props.title} · MPI steward`}</title>
        <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/ui/assets/ui.css" />
        <script src="/ui/assets/ui.js" defer></script>
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="top">
          <span class="brand">MPI · data steward</span>
          {session ? (
            <nav aria-label="Sections">
              <a href="/ui/queue" aria-current={section === 'queue' ? 'page' : undefined}>
                Review queue
              </a>
              <a href="/ui/search" aria-current={section === 'search' ? 'page' : undefined}>
                Find a patient
              </a>
            </nav>
          ) : null}
          {session ? (
            <div class="who">
              {canDecide(session) ? (
                <span class="role">
                  Key <code>{session.key.id}</code> · {session.key.role}
                </span>
              ) : (
                <span class="role readonly-badge" title="A reader key can view the queue and records but cannot decide">
                  Read only · key <code>{session.key.id}</code> · reader
                </span>
              )}
              <form method="post" action="/ui/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={session.csrf} />
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A page that only says something: errors, conflicts, a refusal. */
const ROLE = { info: 'status', error: 'alert' } as const;

/** A message above a page's content, announced politely (info) or at once (error); nothing when there is no text. */
export function Notice(props: { kind: 'info' | 'error'; text?: string | undefined; id?: string }) {
  if (!props.text) return null;
  return (
    <p class={`message ${props.kind}`} role={ROLE[props.kind]} {...(props.id ? { id: props.id } : {})}>
      {props.text}
    </p>
  );
}

export function MessagePage(props: { frame: Frame; title: string; message: string; detail?: string; links?: Array<{ href: string; text: string }>; refresh?: { seconds: number; to: string }; kind?: 'error' | 'warning' | 'info' }) {
  return (
    <Layout title={props.title} frame={props.frame} refresh={props.refresh}>
      <section class={`message ${props.kind ?? 'error'}`} role={props.kind === 'info' ? 'status' : 'alert'}>
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.detail ? <p class="muted">{props.detail}</p> : null}
        {props.refresh ? <p class="muted">{`This page reloads in ${props.refresh.seconds} seconds.`}</p> : null}
        {props.links?.length ? (
          <p>
            {props.links.map((l) => (
              <a class="btn" href={l.href}>
                {l.text}
              </a>
            ))}
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

export function SignInPage(props: { token: string; next: string; idleMinutes: number; error?: string; notice?: string }) {
  return (
    <Layout title="Sign in" frame={{ section: 'sign-in' }}>
      <section class="sign-in">
        <h1>Sign in</h1>
        <Notice kind="info" text={props.notice} />
        <Notice kind="error" text={props.error} id="sign-in-error" />
        <form method="post" action="/ui/sign-in">
          <input type="hidden" name="_csrf" value={props.token} />
          <input type="hidden" name="next" value={props.next} />
          <label for="key">API key</label>
          <input
            id="key"
            name="key"
            type="password"
            autocomplete="off"
            required
            autofocus
            spellcheck={false}
            aria-describedby={props.error ? 'sign-in-error key-help' : 'key-help'}
          />
          <p id="key-help" class="muted">
            A key of <code>MPI_API_KEYS</code> with the <strong>steward</strong> or <strong>admin</strong> role decides review items; a{' '}
            <strong>reader</strong> key can look but not decide. The key is checked once and never stored in your browser: the page keeps an
            opaque session that ends after {props.idleMinutes} minutes without activity or when you sign out.
          </p>
          <button type="submit" class="btn primary">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}
