import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../api/auth.js';

/*
 * Steward UI sessions, in this process's memory. The cookie holds an opaque random id, never the API key;
 * the map is keyed by the id's SHA-256, so neither a lookup's timing nor a heap dump hands out a usable
 * cookie. A restart signs everybody out, which is acceptable for a handful of stewards.
 */

export interface UiSession {
  /** The key signed in with: its id is the actor in audit rows, its role decides what the page offers. */
  key: ApiKey;
  /** Carried by every state-changing form of this session. */
  csrf: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  /** Signed out after this long without a request. Default 30 minutes. */
  idleMs?: number;
  /** Signed out this long after signing in, however active. Default 12 hours. */
  maxAgeMs?: number;
  /** At most this many sessions; the least recently used goes first. */
  maxSessions?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const newToken = () => randomBytes(32).toString('base64url');
const digest = (id: string) => createHash('sha256').update(id).digest('hex');

/** Constant-time equality of two tokens (a CSRF token against the session's). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;
  /** Insertion order is recency order: a touched session is moved to the end. */
  private readonly sessions = new Map<string, UiSession>();

  constructor(opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 30 * 60_000;
    this.maxAgeMs = opts.maxAgeMs ?? 12 * 3600_000;
    this.maxSessions = opts.maxSessions ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** A new session for a verified key; returns the id for the cookie. */
  create(key: ApiKey): { id: string; session: UiSession } {
    this.sweep();
    while (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const id = newToken();
    const t = this.now();
    const session: UiSession = { key, csrf: newToken(), createdAt: t, lastSeen: t };
    this.sessions.set(digest(id), session);
    return { id, session };
  }

  /** The live session of a cookie, its idle clock restarted; undefined (and forgotten) once it has expired. */
  get(id: string | undefined): UiSession | undefined {
    if (!id) return undefined;
    const k = digest(id);
    const s = this.sessions.get(k);
    if (!s) return undefined;
    const t = this.now();
    this.sessions.delete(k);
    if (this.expired(s, t)) return undefined;
    s.lastSeen = t;
    this.sessions.set(k, s);
    return s;
  }

  destroy(id: string | undefined) {
    if (id) this.sessions.delete(digest(id));
  }

  get size() {
    return this.sessions.size;
  }

  private expired(s: UiSession, t: number) {
    return t - s.lastSeen >= this.idleMs || t - s.createdAt >= this.maxAgeMs;
  }

  /** Drops expired sessions; the oldest-used come first, so it stops at the first live one. */
  private sweep() {
    const t = this.now();
    for (const [k, s] of this.sessions) {
      if (!this.expired(s, t)) break;
      this.sessions.delete(k);
    }
  }
}
