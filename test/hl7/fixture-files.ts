import { readFileSync } from 'node:fs';

export const FIXTURE_DIR = new URL('../../fixtures/hl7/', import.meta.url);

export type FixtureKind = 'message' | 'response-shape' | 'envelope' | 'malformed' | 'unsupported-type';

export interface FixtureEntry {
  file: string;
  kind: FixtureKind;
  lineEndings: string;
  bom: boolean;
  charset: string;
  hl7Version: string | null;
  messageType: string;
  features: string;
}

export const manifest: { files: FixtureEntry[] } = JSON.parse(
  readFileSync(new URL('MANIFEST.json', FIXTURE_DIR), 'utf8'),
) as { files: FixtureEntry[] };

export function fixtureBytes(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURE_DIR));
}

export function fixturesOfKind(...kinds: FixtureKind[]): FixtureEntry[] {
  return manifest.files.filter((f) => kinds.includes(f.kind));
}
