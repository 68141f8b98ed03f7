import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`, which .ci/run does) driven by playwright-core:
 * no browser download. Where none is installed the browser tests say NOT RUN, as the Terraform
 * checks do (__tests__/support/terraform.ts).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function reportBrowserSkipped(what: string, why: string): void {
  console.warn(`NOT RUN: ${what}: ${why}.`);
}

/**
 * A fresh, quiet browser (its context: close it to end the browser): its own new profile
 * (playwright takes the profile directory as launchPersistentContext's argument), nothing fetched in the background (this machine and CI
 * may have no network), and `--no-sandbox` only when running as root, where Chromium refuses to
 * start sandboxed.
 */
export function launchChromium(options: { readonly viewport: { width: number; height: number } }): Promise<BrowserContext> {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
    '--disable-quic',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ];
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
    executablePath: CHROMIUM_PATH,
    args,
    timeout: 60_000,
    viewport: options.viewport,
  });
}
