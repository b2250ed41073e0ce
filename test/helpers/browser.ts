import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (playwright-core downloads no browser); MPI_TEST_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.MPI_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium, or fails with a message that says what to install: a browser test that cannot
 * run must not pass by being skipped.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it) or MPI_TEST_CHROMIUM set to a Chromium binary`);
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, timeout: 30_000 });
  } catch (e) {
    throw new Error(`Chromium at ${CHROMIUM} could not start, so the browser tests cannot run: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
  }
}
