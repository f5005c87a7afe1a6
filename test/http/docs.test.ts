// GET /docs in a real browser: headless Chromium (Debian's `chromium`) loads the page, which
// fetches /v1/openapi.json and lists every operation, the Catalog routes among them, with no
// console message (a script error, a refused fetch, a Content-Security-Policy violation all
// print one). Without Chromium the browser tests are skipped with the reason, unless
// IMS_REQUIRE_CHROMIUM=1 (CI installs it), where that is a failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCommand } from '../../core/command.js';
import type { Store } from '../../core/ports.js';
import { unwrap } from '../../core/result.js';
import { bootstrapToken } from '../../core/token.js';
import { createLogger } from '../../http/log.js';
import { routes } from '../../http/routes/index.js';
import { startServer, type RunningServer } from '../../http/server.js';
import { openStore } from '../../storage/open.js';

const requireChromium = process.env.IMS_REQUIRE_CHROMIUM === '1';
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0) ?? null;

let store: Store;
let server: RunningServer;
let profile: string;

interface Page {
  dom: string;
  console: string[];
}

/** The page's DOM once its scripts have run, and every console message it printed. */
function load(url: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const child = spawn(chromium!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`,
      '--enable-logging=stderr', '--v=0', '--virtual-time-budget=10000', '--dump-dom', url,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let dom = '';
    let err = '';
    child.stdout.on('data', (d) => (dom += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`chromium exited ${code}\n${err}`));
      resolve({ dom, console: err.split('\n').filter((l) => /:CONSOLE[(:]/.test(l)) });
    });
  });
}

const browserTest = (name: string, fn: () => Promise<void>) => {
  if (chromium) test(name, fn);
  else if (requireChromium) test(name, () => assert.unreachable('IMS_REQUIRE_CHROMIUM=1 but no chromium on the PATH (apt-get install chromium)'));
  else test.skip(`${name} (skipped: no chromium on the PATH; apt-get install chromium)`, fn);
};

test.before(async () => {
  store = await openStore('sqlite::memory:');
  unwrap(await runCommand(store, (tx) => bootstrapToken(tx, 'docs_test_token_0123456789', new Date().toISOString())));
  server = await startServer({ store, logger: createLogger('silent') });
  profile = mkdtempSync(join(tmpdir(), 'ims-chromium-'));
});
test.after(async () => {
  await server.close();
  await store.close();
  rmSync(profile, { recursive: true, force: true });
});

test('GET /docs, its script and style sheet are open, self-hosted and under a strict CSP', async () => {
  const parts = [['/docs', /^text\/html/], ['/docs/docs.js', /^text\/javascript/], ['/docs/docs.css', /^text\/css/]] as const;
  for (const [path, type] of parts) {
    const r = await fetch(server.url + path);
    assert.is(r.status, 200, path);
    assert.match(r.headers.get('content-type') ?? '', type);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.not.match(csp, /unsafe-inline|\*/);
    // Nothing is fetched from another host: the server may run offline.
    assert.not.match(await r.text(), /(src|href)=["']?(https?:)?\/\//, `${path} loads nothing from elsewhere`);
  }
  const html = await (await fetch(`${server.url}/docs`)).text();
  assert.match(html, /<script src="\/docs\/docs\.js"/);
  assert.not.match(html, /<script>/, 'no inline script');
});

browserTest('the console check sees console output and script errors', async () => {
  const page = await load('data:text/html,<p>x</p><script>console.error("boom"); missing()</script>');
  assert.ok(page.console.some((l) => l.includes('boom')));
  assert.ok(page.console.some((l) => l.includes('missing is not defined')));
});

browserTest('in Chromium the page renders every operation, the Catalog routes among them, without console messages', async () => {
  const page = await load(`${server.url}/docs`);
  assert.equal(page.console, [], 'no console messages');
  assert.match(page.dom, /<body data-state="ready"/);
  const count = /data-operations="(\d+)"/.exec(page.dom)?.[1];
  assert.is(Number(count), routes.length, 'one entry per route of the table');
  const catalog = /<section class="tag" id="tag-catalog"[^>]*>([\s\S]*?)<\/section>/.exec(page.dom)?.[1] ?? '';
  const catalogRoutes = routes.filter((r) => r.tag === 'Catalog');
  assert.ok(catalogRoutes.length >= 7);
  for (const r of catalogRoutes) {
    const entry = new RegExp(`<span class="method ${r.method.toLowerCase()}">${r.method.toLowerCase()}</span><span class="path">${r.path.replace(/[{}]/g, '\\$&')}</span>`);
    assert.match(catalog, entry, `${r.method} ${r.path} is listed under Catalog`);
  }
  // The request body of POST /v1/items is rendered from its schema, required fields marked.
  assert.match(catalog, /<code>itemNo<\/code> <span class="type">string[^<]*<\/span><span class="req"> required<\/span>/);
  assert.match(catalog, /<code>itemKind<\/code> <span class="type">"purchased" \| "manufactured"/);
  // And its example, as the document gives it.
  assert.match(catalog, /<pre>\{\n {2}"itemNo": "TBL-NOTE-08",/);
  // Each answer shows its schema and example: a GET /v1/items/{itemId} answer holds the item.
  assert.match(catalog, /Response 200 — Success<\/h4><ul class="schema"><li><code>data<\/code>/);
});

browserTest('when the document cannot be fetched, the page says so instead of failing silently', async () => {
  const broken = await startServer({ store, logger: createLogger('silent'), routes: routes.filter((r) => r.path !== '/v1/openapi.json') });
  try {
    const page = await load(`${broken.url}/docs`);
    assert.match(page.dom, /data-state="error"/);
    assert.match(page.dom, /The API description could not be shown: \/v1\/openapi.json answered 404/);
  } finally {
    await broken.close();
  }
});

test.run();
