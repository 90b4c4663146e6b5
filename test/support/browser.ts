import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * A real Chromium (Debian's, /usr/bin/chromium; `CHROMIUM_PATH` names another) for the workspace's
 * journeys, driven by Playwright: people sign in through the development OpenID provider as they
 * would through the corporation's, find things by role and accessible name, and every page they see
 * is checked with axe-core.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // No sandbox as root; no background connections (this machine's network is closed).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const viewports = {
  desk: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * A browser context of its own (cookies, session) at a desk or on a phone. bypassCSP: the tests
 * inject axe-core into the page, which the pages' policy (scripts from 'self' only) would refuse.
 */
export async function newPerson(browser: Browser, viewport: keyof typeof viewports = 'desk'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: viewports[viewport],
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
    bypassCSP: true,
    isMobile: viewport === 'phone',
    hasTouch: viewport === 'phone',
  });
  const page = await context.newPage();
  return { context, page };
}

/** Sign in through the development provider (the login is the role: consultant, contractor, finance, admin, manager). */
export async function signIn(page: Page, appUrl: string, login: string, next = '/app'): Promise<void> {
  await page.goto(`${appUrl}/app/aanmelden?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'welkom');
  await Promise.all([page.waitForURL((url) => url.toString().startsWith(appUrl)), page.click('button[type=submit]')]);
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core on the page as it is: the serious and critical violations (WCAG 2.1 A and AA rules, and best practices). */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  // Runs in the page (a string: the project's TypeScript knows no DOM).
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fail with the violations listed, so that the report says what to mend. */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await accessibilityViolations(page);
  if (violations.length > 0) {
    throw new Error(`axe found ${violations.length} serious or critical violations on ${page.url()}:\n${violations.map((v) => `- ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`).join('\n')}`);
  }
}
