import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { ConfigError } from '../config.js';
import { ApiError } from './errors.js';

export const ROLES = ['reader', 'steward', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const rank: Record<Role, number> = { reader: 1, steward: 2, admin: 3 };

export interface ApiKey {
  /** Safe to log and audit: a fingerprint, never the key. */
  id: string;
  role: Role;
  digest: Buffer;
}

const digest = (key: string) => createHash('sha256').update(key).digest();
export const keyId = (key: string) => `key-${digest(key).toString('hex').slice(0, 12)}`;

export function parseApiKeys(spec: string): ApiKey[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const at = entry.lastIndexOf(':');
      const key = at > 0 ? entry.slice(0, at) : '';
      const role = entry.slice(at + 1) as Role;
      if (!key || !ROLES.includes(role)) throw new ConfigError(`MPI_API_KEYS: entry ${i + 1} must be key:role with role one of ${ROLES.join(', ')}`);
      if (key.length < 16) throw new ConfigError(`MPI_API_KEYS: entry ${i + 1} key is shorter than 16 characters`);
      return { id: keyId(key), role, digest: digest(key) };
    });
}

/**
 * Keys from MPI_API_KEYS, or else an admin key generated on first start and kept (mode 0600) in the
 * data directory. Returns where that file is, so start-up can say so without printing the key.
 */
export function loadApiKeys(spec: string | undefined, dataDir: string): { keys: ApiKey[]; generatedFile?: string } {
  if (spec) return { keys: parseApiKeys(spec) };
  const file = join(dataDir, 'admin-api-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  const key = readFileSync(file, 'utf8').trim();
  return { keys: [{ id: keyId(key), role: 'admin', digest: digest(key) }], generatedFile: file };
}

export type AuthVariables = { apiKey: ApiKey };

/** The configured key a presented secret is, if any (compared by digest, in constant time). */
export function findKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const d = digest(presented);
  return keys.find((k) => timingSafeEqual(k.digest, d));
}

export const hasRole = (key: Pick<ApiKey, 'role'>, role: Role) => rank[key.role] >= rank[role];

export function requireRole(keys: ApiKey[], role: Role): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const h = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new ApiError('unauthorized', 'missing bearer token');
    const key = findKey(keys, m[1]!);
    if (!key) throw new ApiError('unauthorized', 'unknown API key');
    if (!hasRole(key, role)) throw new ApiError('forbidden', `this route needs the ${role} role`);
    c.set('apiKey', key);
    await next();
  };
}
