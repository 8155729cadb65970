/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against a real
 * server on loopback with the real models: analyse, compare, galleries (enrol, search), search
 * jobs (index, search, progress, results), catalogue (filters, photo scores), admin (create, edit and
 * revoke a key, usage per day), errors shown as the API states them, an axe-core check of every
 * page, and the screenshots in docs/console/.
 * Without /usr/bin/chromium the suite is skipped, except under CI=true, where it fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../src/main/server.compose.js';
import { request } from '../../helpers/live-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EVAL = resolve(process.env.EVAL_DIR ?? '../shared/eval');
const SHOTS = resolve('docs/console');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs it with apt-get install -y chromium`);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** LFW pairs.csv rows: [path_a, path_b, same]. */
const pairs = readFileSync(join(EVAL, 'lfw/pairs.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','))
  .map(([, a, b, same]) => ({ a: join(EVAL, 'lfw', a!), b: join(EVAL, 'lfw', b!), same: same === '1' }));
const person = (p: string) => p.split('/').at(-2)!;

describe('web console', { skip: haveChromium ? false : `no ${CHROMIUM} (apt-get install -y chromium)`, timeout: 180_000 }, () => {
  let server: RunningServer;
  let dataDir: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let port: number;
  let adminKey: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'visage-console-'));
    profile = mkdtempSync(join(tmpdir(), 'visage-chromium-'));
    const printed: string[] = [];
    server = await startServer({
      env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '1' },
      print: (t) => void printed.push(t),
    });
    await server.loaded;
    adminKey = /vsg_[A-Za-z0-9_-]+/.exec(printed.join(''))![0];
    port = (server.app.server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    mkdirSync(SHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 860 },
      // axe-core is injected as an inline script, which the console's own CSP rightly refuses.
      bypassCSP: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('dialog', (d) => void d.accept(d.type() === 'prompt' ? d.defaultValue() : undefined));
    page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  /** No serious or critical axe-core violations on the page as it is now. */
  async function accessible(name: string) {
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    assert.deepEqual(violations, [], `${name}: serious or critical accessibility violations`);
  }

  /** A full-page screenshot, quantised to a small palette PNG for docs/console/. */
  const shot = async (name: string) => {
    const png = await page.screenshot({ fullPage: true });
    await sharp(png).png({ palette: true, colours: 128, effort: 7 }).toFile(join(SHOTS, `${name}.png`));
  };

  async function signIn(key: string) {
    await page.goto(`${base}/#/signin`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  test('sign in with an API key; the key stays in session storage, never in the URL', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('API key').waitFor();
    await accessible('sign in');
    await shot('sign-in');
    await signIn(adminKey);
    await page.locator('#who-account').getByText('default').waitFor();
    assert.ok(!page.url().includes(adminKey));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('visage.key')), adminKey);
  });

  test('analyse: the group photo from compreface_samples gets its 5 boxes and 5 face cards', async () => {
    const labels = readFileSync(join(EVAL, 'compreface_samples/LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const [path, n] = labels.find(([, n]) => Number(n) > 1)!;
    await page.goto(`${base}/#/analyse`);
    await page.setInputFiles('#analyse-file', join(EVAL, 'compreface_samples', path!));
    await page.locator('#face-count').waitFor();
    assert.equal(await page.locator('svg.overlay rect.face-box').count(), Number(n));
    assert.equal(await page.locator('.face-card').count(), Number(n));
    assert.equal(await page.locator('#face-count').textContent(), `${n} faces`);
    assert.match((await page.locator('#curl').textContent())!, /curl -s -H "x-api-key: \$KEY" -F image=@000_5\.jpg .*\/v1\/detect\?attributes=all/);
    const five = await page.locator('svg.overlay circle.mark').count();
    await page.getByLabel('68 points').check();
    assert.equal(await page.locator('svg.overlay circle.mark').count(), (five / 5) * 68);
    await page.getByLabel('5 points').check();
    await accessible('analyse');
    await shot('analyse');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('analyse-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('compare: two LFW photos of one person match, two of different people do not', async () => {
    const same = pairs.find((p) => p.same)!;
    const diff = pairs.find((p) => !p.same)!;
    await page.goto(`${base}/#/compare`);
    for (const [pair, verdict] of [
      [diff, /^Not the same person/],
      [same, /^Same person/],
    ] as const) {
      await page.setInputFiles('#compare-a', pair.a);
      await page.setInputFiles('#compare-b', pair.b);
      await page.locator('#compare-result').evaluate((e) => e.replaceChildren());
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.locator('#verdict').waitFor();
      assert.match((await page.locator('#verdict').textContent())!, verdict, `${person(pair.a)} / ${person(pair.b)}`);
      assert.equal(await page.locator('tr[data-preset]').count(), 3);
    }
    await accessible('compare');
    await shot('compare');
  });

  test('galleries: create, enrol 5 photos with live progress, search finds the right person first and a stranger is unknown', async () => {
    const people: { enrol: string; probe: string }[] = [];
    for (const p of pairs.filter((p) => p.same)) {
      if (people.length === 5) break;
      if (!people.some((x) => person(x.enrol) === person(p.a))) people.push({ enrol: p.a, probe: p.b });
    }
    const stranger = pairs.find((p) => !p.same && !people.some((x) => person(x.enrol) === person(p.a)))!.a;
    await page.goto(`${base}/#/galleries`);
    await page.getByLabel('Name', { exact: true }).fill('staff');
    await page.getByLabel('Description').fill('five LFW people');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('#gallery-name').getByText('staff').waitFor();
    await page.setInputFiles('#enrol-files', people.map((p) => p.enrol));
    await page.locator('#enrol-status').getByText('5 of 5 done · 5 enrolled · 0 failed').waitFor({ timeout: 60_000 });
    await page.locator('#face-grid .tile img').nth(4).waitFor();
    assert.equal(await page.locator('#face-grid .tile').count(), 5);

    await page.setInputFiles('#search-file', people[2]!.probe);
    await page.locator('#search-result .candidates li').first().waitFor();
    const first = await page.locator('#search-result .candidates li').first().getAttribute('data-client-id');
    assert.equal(first, people[2]!.enrol.split('/').at(-1)!.replace('.jpg', ''));
    await accessible('gallery');
    await shot('gallery');

    await page.setInputFiles('#search-file', stranger);
    await page.locator('#search-unknown').waitFor();

    await page.goto(`${base}/#/galleries`);
    await page.locator('#gallery-list').getByRole('link', { name: 'staff' }).waitFor();
    await accessible('galleries');
    await shot('galleries');
  });

  test('an API error is shown as the API states it (code and reason)', async () => {
    await page.goto(`${base}/#/galleries`);
    await page.getByLabel('Name', { exact: true }).fill('staff');
    await page.getByRole('button', { name: 'Create' }).click();
    const direct = await request(port, 'POST', '/v1/galleries', { key: adminKey, body: { name: 'staff', thumbnails: true } });
    assert.ok(direct.status >= 400);
    await page.locator('.error .error-code').first().waitFor();
    assert.equal(await page.locator('.error .error-code').first().textContent(), direct.json.code);
    assert.equal(await page.locator('.error .error-reason').first().textContent(), direct.json.reason);
  });

  test('jobs page', async () => {
    await page.goto(`${base}/#/jobs`);
    await page.locator('#jobs').getByText(/No jobs|Your jobs/).waitFor();
    await accessible('jobs');
    await shot('jobs');
  });

  test('search jobs: create an index, add photos with source URLs, search with a photo, live progress, the right source first', async () => {
    const same = pairs.filter((p) => p.same);
    const target = same[0]!;
    const other = same.find((p) => person(p.a) !== person(target.a))!;
    await page.goto(`${base}/#/search-jobs`);
    await page.getByLabel('Index name').fill('web');
    await page.getByRole('button', { name: 'Create index' }).click();
    await page.locator('#index-list tr[data-index="web"]').waitFor();
    for (const [photo, url] of [
      [target.a, 'https://example.test/target'],
      [other.a, 'https://example.test/other'],
    ] as const) {
      await page.setInputFiles('#index-photo-file', photo);
      await page.getByLabel('Source URL').fill(url);
      await page.getByRole('button', { name: 'Add photo' }).click();
      await page.locator('#index-photo-result').getByText(/face\(s\) indexed/).waitFor({ timeout: 30_000 });
      await page.locator('#index-photo-result').evaluate((e) => e.replaceChildren());
    }
    await page.locator('#index-list tr[data-index="web"] td').first().getByText('2').waitFor();
    await page.setInputFiles('#search-files', target.b);
    await page.locator('#search-previews img').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start search' }).click();
    await page.locator('#search-progress').waitFor();
    await page.locator('#search-summary').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#search-progress').getAttribute('value'), '100');
    assert.ok(await page.getByRole('button', { name: 'Cancel' }).isDisabled(), 'a finished search cannot be cancelled');
    const first = page.locator('#search-results tr.result').first();
    assert.equal(await first.getAttribute('data-url'), 'https://example.test/target');
    assert.match((await first.locator('img.result-thumb').getAttribute('src'))!, /^data:image\//);
    assert.ok(Number(await first.getAttribute('data-score')) >= 50);
    await accessible('search-jobs');
    await shot('search-jobs');
  });

  test('catalogue: browse agencies, models and reviews with filters; score photos and see the parts', async () => {
    const post = async (path: string, body: object) => {
      const r = await request(port, 'POST', `/v1/catalogue/${path}`, { key: adminKey, body });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json as { id: number };
    };
    const north = await post('agencies', { title: 'Northwind (made-up)', mother: true, genders: ['female', 'male'], languages: ['en'] });
    await post('agencies', { title: 'Southgate (made-up)', mother: false, genders: ['female'], languages: ['de'] });
    await post('models', { agency_id: north.id, name: 'Ann (made-up)', gender: 'female', height: 176, eyes: 'blue' });
    await post('models', { agency_id: north.id, name: 'Bob (made-up)', gender: 'male', height: 188, eyes: 'brown' });
    await post('reviews', { agency_id: north.id, author: 'model', type: 'positive', text: 'Paid on time', date: '2024-05-01' });

    await page.goto(`${base}/#/catalogue/agencies`);
    await page.locator('#catalogue-list tbody tr').nth(1).waitFor();
    await page.getByLabel('mother').selectOption('true');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#catalogue-list caption').getByText('1 in all').waitFor();
    await accessible('catalogue');
    await shot('catalogue');

    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByLabel('gender').selectOption('male');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#catalogue-list caption').getByText('1 in all').waitFor();
    assert.match((await page.locator('#catalogue-list tbody tr').first().textContent())!, /Bob/);

    await page.getByRole('link', { name: 'Reviews' }).click();
    await page.locator('#catalogue-list tbody tr').first().getByText('Paid on time').waitFor();

    await page.getByRole('link', { name: 'Score photos' }).click();
    await page.setInputFiles('#score-files', [pairs[0]!.a, pairs[1]!.a]);
    await page.locator('.score-card').nth(1).waitFor({ timeout: 30_000 });
    const card = page.locator('.score-card').first();
    assert.ok(Number(await card.getAttribute('data-score')) > 0);
    assert.equal(await card.locator('tr[data-part]').count(), 9);
    await accessible('catalogue score');
    await shot('catalogue-score');
  });

  test('admin: create a key (secret shown once), revoke it, and the revoked key is refused at sign-in as the API says', async () => {
    await page.goto(`${base}/#/admin`);
    await page.getByLabel('Name', { exact: true }).fill('console-test');
    await page.getByLabel('Scopes').fill('detect,verify');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('#new-secret').textContent())!;
    assert.match(secret, /^vsg_/);
    const ok = await request(port, 'GET', '/v1/account', { key: secret });
    assert.equal(ok.status, 200);
    const id = ok.json.key.id as string;
    await page.locator(`tr[data-key-id="${id}"]`).waitFor();
    await page.locator('#account-report').getByText(/credits spent/).waitFor();
    // Usage per day: today's column holds what this suite has spent so far (analyse, compare, …).
    await page.locator('#daily-usage svg.daily').waitFor();
    const daily = await request(port, 'GET', '/v1/admin/accounts/default/usage/daily?days=30', { key: adminKey });
    const today = daily.json.days.at(-1);
    assert.ok(today.total > 0);
    assert.equal(await page.locator('#daily-usage g[data-day]').count(), 30);
    assert.ok(Number(await page.locator(`#daily-usage g[data-day="${today.day}"]`).getAttribute('data-total')) > 0);
    assert.equal(await page.locator(`#daily-usage g[data-day="${today.day}"] rect`).count(), Object.keys(today.usage).length);
    await page.locator('#audit-list table').waitFor();
    await accessible('admin');
    await shot('admin');
    // Edit its options in place: the secret keeps working with the new scopes.
    await page.getByRole('button', { name: `Edit key ${id}` }).click();
    await page.locator('#edit-scopes').fill('detect');
    await page.locator('#edit-rate').fill('3');
    await page.getByRole('button', { name: 'Save key' }).click();
    await page.locator('#key-editor').getByText('saved; its secret is unchanged').waitFor();
    await page.locator(`tr[data-key-id="${id}"]`).getByText('3/s').waitFor();
    const edited = await request(port, 'GET', '/v1/account', { key: secret });
    assert.equal(edited.status, 200);
    assert.deepEqual(edited.json.key.scopes, ['detect']);
    await page.getByRole('button', { name: `Revoke key ${id}` }).click();
    await page.locator(`tr[data-key-id="${id}"]`).getByText('revoked').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('visage.key')), null);
    await signIn(secret);
    const refused = await request(port, 'GET', '/v1/account', { key: secret });
    assert.equal(refused.status, 401);
    await page.locator('.error .error-code').waitFor();
    assert.equal(await page.locator('.error .error-code').textContent(), refused.json.code);
    assert.equal(await page.locator('.error .error-reason').textContent(), refused.json.reason);
    await accessible('sign-in error');
  });
});
