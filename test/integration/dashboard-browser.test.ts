/// <reference lib="dom" />
// The fleet view in a real browser (Debian's Chromium through playwright-core): `eks-upgrade dashboard`'s page
// lists the clusters of a running campaign with their verdicts, filters by verdict, refreshes itself when an
// upgrade moves on, and renders (a screenshot that is not blank); `campaign report --format html` is one file
// that renders offline with its charts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { campaignStartOptions } from '../../src/client/commands/campaign';
import { loadCampaignFile } from '../../src/client/commands/campaign-load';
import { startDashboard, type DashboardServer } from '../../src/client/commands/dashboard';
import { renderFleetReportHtml } from '../../src/client/dashboard/report-html';
import { approveUpgradesUpdate } from '../../src/workflows/campaign-messages';
import { startBedrockFake, type BedrockFake } from '../fakes/bedrock-fake';
import { createTestEnv, uniqueTaskQueue } from '../harness/temporal';
import { rigActivities } from './upgrade-support';
import {
  fleetModel,
  startFleetWorkers,
  waitForCampaign,
  writeCampaignFile,
  type FleetCluster,
} from './campaign-support';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const FLEET: FleetCluster[] = [
  { name: `web-go-${tag}`, decision: 'GO' },
  { name: `web-nogo-${tag}`, decision: 'GO', manifests: 'removed-api' },
  { name: `web-caution-${tag}`, decision: 'GO_WITH_CAUTION' },
  { name: `web-path-${tag}`, decision: 'GO', version: '1.29' },
];

let env: TestWorkflowEnvironment;
let fake: BedrockFake;
let dir: string;
let workers: { stop(): Promise<void> } | undefined;
let dashboard: DashboardServer | undefined;
let browser: Browser | undefined;
const taskQueue = uniqueTaskQueue('dashboard');

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  env = await createTestEnv();
  fake = await startBedrockFake({ handler: fleetModel(FLEET) });
  dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  const { activities } = rigActivities({
    client: env.client,
    bedrockUrl: fake.url,
    taskQueue,
    guardId: `guard-${taskQueue}`,
    analysisCacheTtlMs: 3_600_000,
    campaign: true,
  });
  workers = await startFleetWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await dashboard?.close();
  await workers?.stop();
  await fake?.close();
  await env?.teardown();
  if (dir && !process.env.KEEP_DASHBOARD_SCREENSHOTS) rmSync(dir, { recursive: true, force: true });
});

/** Share of the screenshot's pixels that are not (nearly) white, decoded by the browser itself. */
async function inkShare(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const g = canvas.getContext('2d');
    if (!g) return 0;
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, img.width, img.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4)
      if ((data[i] ?? 255) < 235 || (data[i + 1] ?? 255) < 235 || (data[i + 2] ?? 255) < 235) ink++;
    return ink / (data.length / 4);
  }, png.toString('base64'));
}

void test('the dashboard lists a running campaign with its verdicts, filters, refreshes itself, and renders', async () => {
  const { plan } = loadCampaignFile(
    writeCampaignFile(
      dir,
      `web-${tag}`,
      FLEET,
      `  waves:\n    - name: only\n      select: { rest: true }\n      maxParallel: 4`,
    ),
  );
  const options = campaignStartOptions(
    plan,
    { upgradeTaskQueue: taskQueue, options: { pollIntervalMs: 250, watchMaxMs: 5_000 } },
    taskQueue,
  );
  const handle = await env.client.workflow.start('campaignWorkflow', options);
  // Running, with every cluster decided: the cautious one waits for approval at its gate.
  await waitForCampaign(
    handle,
    (s) =>
      s.clusters.every((c) => c.hops.some((h) => h.verdict)) &&
      s.clusters.some((c) => c.hops.some((h) => h.state === 'awaiting-approval')),
  );

  dashboard = await startDashboard({
    client: env.client,
    namespace: env.namespace ?? 'default',
    uiBaseUrl: 'http://localhost:8233',
    port: 0,
    refreshMs: 1_000,
  });
  assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'bound to 127.0.0.1');
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(dashboard.url);
  const card = page.locator(`.card[data-campaign="${options.workflowId}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), new RegExp(`web-${tag} → 1\\.31: wave 1/1`));
  const row = (cluster: string, to = '1.31') =>
    page.locator(`#upgrades tbody tr`, { hasText: `upgrade-${cluster}-${to}` });
  assert.match(await row(FLEET[0]!.name).innerText(), /GO/);
  assert.match(await row(FLEET[1]!.name).innerText(), /NO_GO[\s\S]*API001/);
  assert.match(await row(FLEET[2]!.name).innerText(), /GO_WITH_CAUTION/);
  assert.match(await row(FLEET[3]!.name, '1.30').innerText(), /1\.29 → 1\.30/);
  assert.equal((await page.locator('svg.verdict-chart rect').count()) >= 3, true, 'the verdict chart has bars');
  assert.match(await page.locator('svg.blocker-chart').innerHTML(), /API001/);
  const link = await row(FLEET[0]!.name).locator('a').getAttribute('href');
  assert.match(link ?? '', /\/namespaces\/[^/]+\/workflows\/upgrade-web-go-/);

  // Filter by verdict: only the NO_GO row stays visible (the campaign's rows, not other tests' upgrades).
  await page.locator('select[data-filter="campaign"]').selectOption(options.workflowId);
  await page.locator('select[data-filter="verdict"]').selectOption('NO_GO');
  const visible = await page.locator('#upgrades tbody tr:visible').allInnerTexts();
  assert.equal(visible.length, 1, visible.join('\n'));
  assert.match(visible[0] ?? '', /web-nogo/);
  await page.locator('select[data-filter="verdict"]').selectOption('');

  const shot = await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
  const ink = await inkShare(page, shot);
  assert.ok(ink > 0.02, `the page is not blank (${(ink * 100).toFixed(1)} % ink)`);

  // It refreshes itself: approving the cautious upgrade shows up without a reload.
  await handle.executeUpdate(approveUpgradesUpdate, { args: [{ by: 'test', reason: 'cautions reviewed' }] });
  await page.waitForFunction(
    (id) => {
      const tr = [...document.querySelectorAll('#upgrades tbody tr')].find((r) => r.textContent?.includes(id));
      return !!tr && /completed|approved/.test(tr.textContent ?? '');
    },
    `upgrade-${FLEET[2]!.name}-1.31`,
    { timeout: 60_000 },
  );
  assert.equal((await page.request.post(dashboard.url).catch(() => undefined))?.status(), 405, 'read-only');

  // The report file: the same view, self-contained, renders offline.
  const final = await waitForCampaign(handle, (s) => s.phase === 'completed', 120_000);
  const file = join(dir, 'report.html');
  writeFileSync(
    file,
    renderFleetReportHtml([final], {
      uiBaseUrl: 'http://localhost:8233',
      namespace: 'default',
      generatedAt: new Date().toISOString(),
    }),
  );
  const offline = await browser!.newPage();
  await offline.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  await offline.goto(`file://${file}`);
  assert.equal(await offline.locator('#upgrades tbody tr').count(), 5, 'every hop of the 4 clusters');
  assert.ok((await offline.locator('svg.verdict-chart rect').count()) >= 3);
  const reportShot = await offline.screenshot({ path: join(dir, 'report.png'), fullPage: true });
  assert.ok((await inkShare(offline, reportShot)) > 0.02, 'the report renders');
  if (process.env.KEEP_DASHBOARD_SCREENSHOTS) console.error(`screenshots in ${dir}`);
});
