import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  followScenarios,
  startScenarios,
  withdrawScenarios,
  type Scenario,
} from '../../scripts/demo/scenarios';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../scripts/demo/system';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');

describe('npm start: the embedded system and its demo (short timings), checked in a real browser', () => {
  let system: EmbeddedSystem;
  let scenarios: Scenario[];
  let browser: Browser | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    system = await startEmbeddedSystem({
      port: 0,
      uiPort: 0,
      dbFile: path.join(mkdtempSync(path.join(tmpdir(), 'demo-')), 'dev.sqlite'),
      simPortBase: 0,
      taskQueue: 'demo-test',
      workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
      log: (l) => log.push(l),
    });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  test('every demo run reaches its expected end state', async () => {
    scenarios = await startScenarios(system.client, system.sims, {
      periodSeconds: 5,
      injectedFailures: 1,
      runKey: `t${Date.now().toString(36)}`,
      log: (l) => log.push(l),
    });
    expect(scenarios).toHaveLength(16);
    await withdrawScenarios(system.client, scenarios, (l) => log.push(l));
    const outcome = await followScenarios(system.client, scenarios, (l) => log.push(l), 90_000);
    for (const s of scenarios)
      expect(`${s.provider}/${s.kind}: ${outcome.get(s.workflowId)}`).toBe(
        `${s.provider}/${s.kind}: ${s.expected}`,
      );
    // The failure scenario really rode through failures: the simulator saw the injected answers.
    const rebillyOutcomes = system.sims.rebilly.calls('PUT').map((r) => r.outcome);
    expect(rebillyOutcomes).toEqual(
      expect.arrayContaining(['fault 503', expect.stringMatching(/^lost-response/)]),
    );
    expect(system.sims.rebilly.cancellations.size).toBe(3); // immediate, end-of-period, failures: once each
  });

  test('the Web UI finds a demo run by its search attributes and shows its summary, stage and provider', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: run scripts/provision-chromium.sh or set CHROMIUM_PATH`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const target = scenarios.find((s) => s.provider === 'rebilly' && s.kind === 'immediate')!;
    const query = `CancellationProvider = 'rebilly' AND CancellationStage = 'completed'`;
    await page.goto(`${system.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const link = page.locator(`a[href*="${encodeURIComponent(target.workflowId)}"]`).first();
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    // Payloads are encrypted: the UI shows them (and the summary) only through our codec server.
    await page.getByText('"status": "completed"').first().waitFor({ timeout: 30_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-run.png'), fullPage: true });
    await page.getByText('User Metadata', { exact: true }).click();
    await page.getByText('Cancel Rebilly order', { exact: false }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-summary.png') });
    await page.getByText('Search Attributes', { exact: true }).click();
    await page.getByText('CancellationStage').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-search-attributes.png') });
    const attributes = await page.locator('body').innerText();
    expect(attributes).toMatch(/"CancellationStage":\s*"completed"/);
    expect(attributes).toMatch(/"CancellationProvider":\s*"rebilly"/);
  });
});
