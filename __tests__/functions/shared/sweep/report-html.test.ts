import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../../../functions/shared/runtime';
import { GAUGE_ACCOUNTS, renderSweepReportHtml, type SweepReport } from '../../../../functions/shared/sweep';
import { runSimulation } from '../../../../simulation/engine/run-simulation';
import { parseWorld } from '../../../../simulation/engine/world';
import { parseConfig } from '../../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../../stacks/example-config';
import { chromiumMissing, launchChromium, reportBrowserSkipped } from '../../../support/chromium';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
/** Test artifacts (git-ignored): the screenshot of the rendered page. */
const ARTIFACTS = join(ROOT, 'reports', 'screenshots');

const report = (findings: SweepReport['findings'], accounts: SweepReport['accounts'] = []): SweepReport => ({
  sweep: {
    id: '0123456789abcdef',
    executionName: 'daily',
    mode: 'repair',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
  },
  deletionCap: 50,
  findings,
  totals: {
    accounts: accounts.length,
    unreadableAccounts: 0,
    federatedRoles: 1,
    findings: findings.length,
    byKind: {},
    byResult: {},
    deletions: 0,
    deletionsWithheld: false,
    maxClientIdsPerProvider: 0,
    directoryObjects: 210,
    directoryObjectQuotaPercent: 84,
    identities: [
      { identity: 1, objects: 190, share: 225, percent: 84.4 },
      { identity: 2, objects: 20, share: 225, percent: 8.9 },
    ],
  },
  accounts,
});

/** The day-one scenario (two accounts) repaired by the simulator: the report step's own page, as the bucket gets it. */
async function simulatedReportPage(): Promise<string> {
  let html: string | undefined;
  const world = parseWorld(JSON.parse(readFileSync(join(ROOT, 'simulation', 'examples', 'sweep', 'day-one', 'world.json'), 'utf8')));
  const output = await runSimulation({
    world,
    events: [],
    config: parseConfig(EXAMPLE_CONFIG),
    logger: silentLogger,
    sweep: { mode: 'repair', onReportHtml: (page) => (html = page) },
  });
  expect(output.sweep?.findings.length).toBeGreaterThan(1);
  if (html === undefined) throw new Error('the report step wrote no HTML page');
  return html;
}

describe('the sweep report page', () => {
  it('is self-contained: a CSP that forbids every external load, and no URL to load from', () => {
    const html = renderSweepReportHtml(report([]), { entraObjectQuota: 250 });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/\b(src|href)=|@import|url\(/i);
  });

  it('escapes every value: a detail from an error message cannot inject markup', () => {
    const html = renderSweepReportHtml(
      report([
        {
          kind: 'refused',
          account: '222222222222',
          roleName: 'r',
          action: 'none',
          result: 'reported',
          detail: '<img src=x onerror=alert(1)>"\'&',
        },
      ]),
      { entraObjectQuota: 250 },
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(html).not.toContain('<img');
  });

  it(`shows a client-ID gauge for the ${GAUGE_ACCOUNTS} fullest accounts, fullest first, and counts the rest; the quota against its scale`, () => {
    const accounts = Array.from({ length: GAUGE_ACCOUNTS + 5 }, (_, i) => ({
      accountId: String(100000000000 + i),
      readable: true,
      clientIds: i,
    }));
    const html = renderSweepReportHtml(report([], accounts), { entraObjectQuota: 250 });
    const gauges = [...html.matchAll(/data-gauge="(\d{12})"/g)].map(([, id]) => id);
    expect(gauges).toHaveLength(GAUGE_ACCOUNTS);
    expect(gauges[0]).toBe(String(100000000000 + GAUGE_ACCOUNTS + 4));
    expect(html).toContain('5 more accounts hold 5 or fewer.');
    expect(html).toMatch(/<div class="gauge warn" data-gauge="automation">.*210 \/ 250/);
    // Each automation identity against its share (docs/operator.md#the-creator-quota)
    expect(html).toMatch(/<div class="gauge warn" data-gauge="identity 1">.*190 \/ 225/);
    expect(html).toMatch(/<div class="gauge ok" data-gauge="identity 2">.*20 \/ 225/);
  });

  it('renders in Chromium, filters the findings by account, and keeps a screenshot', async () => {
    const missing = chromiumMissing();
    if (missing) return reportBrowserSkipped('the sweep report in a browser', missing);
    // Prepare: the page the report step wrote, as a file (what a presigned link or a download gives)
    const html = await simulatedReportPage();
    const file = join(mkdtempSync(join(tmpdir(), 'sweep-report-')), 'report.html');
    writeFileSync(file, html);
    const context = await launchChromium({ viewport: { width: 1280, height: 900 } });
    try {
      await context.setOffline(true);
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });

      // Act
      await page.goto(pathToFileURL(file).href);
      const rows = page.locator('#findings tbody tr');
      const all = await rows.count();
      const accounts = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')));
      const account = accounts.find((a) => a !== 'tenant' && accounts.filter((b) => b === a).length < all) ?? accounts[0]!;
      await page.selectOption('#filter-account', account);

      // Assess: only that account's rows are left, and the page says so
      const visible = page.locator('#findings tbody tr:not([hidden])');
      const expected = accounts.filter((a) => a === account).length;
      expect(expected).toBeLessThan(all);
      expect(await visible.count()).toBe(expected);
      expect(await visible.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')))).toEqual(Array(expected).fill(account));
      expect(await page.textContent('#shown')).toBe(`${expected} of ${all} findings`);
      await page.selectOption('#filter-account', '');
      expect(await visible.count()).toBe(all);
      expect(await page.locator('[data-gauge]').count()).toBeGreaterThan(1);
      // The creator quota of each automation identity against its share (the example configuration: one identity, 250)
      const identity = page.locator('[data-gauge="identity 1"]');
      expect(await identity.isVisible()).toBe(true);
      expect(await identity.locator('.value').textContent()).toMatch(/^\d+ \/ 250$/);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(errors).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'sweep-report.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 180_000);
});
