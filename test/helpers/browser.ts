/**
 * Debian's Chromium driven by playwright-core. When /usr/bin/chromium is missing, browser
 * tests skip with a message, except under CI=true, where they fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.PULSE_RNN_CHROMIUM ?? '/usr/bin/chromium';

export function haveChromium(): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok) {
    const msg = `Chromium missing at ${CHROMIUM} (apt-get install chromium)`;
    if (process.env.CI === 'true') throw new Error(`${msg}; required when CI=true`);
    console.warn(`skipping browser tests: ${msg}`);
  }
  return ok;
}

/** A headless Chromium with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}
