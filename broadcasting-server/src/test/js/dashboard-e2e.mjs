// The dashboard in Debian's chromium, driven by playwright-core, with a real pusher-js client in
// this process. DashboardBrowserIT starts the server and runs: node dashboard-e2e.mjs, with
//   PORT, KEY        the server and the app's key
//   USER, PASSWORD   the dashboard's operator login
//   CHROMIUM         the browser binary (never downloaded: Debian's package)
// It prints one JSON line {"type":"ok","check":...} per check that passed, then {"type":"seen",...}
// with the page's final HTML and every dashboard answer the page read, for the Java test to grep
// for secrets; it exits non-zero at the first failure.
import Pusher from 'pusher-js';
import playwright from 'playwright-core';

const { PORT, KEY, USER, PASSWORD, CHROMIUM } = process.env;
const base = `http://127.0.0.1:${PORT}`;
const timeout = 15000;

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function ok(check) {
  print({ type: 'ok', check });
}

function client() {
  return new Pusher(KEY, {
    cluster: 'local', wsHost: '127.0.0.1', wsPort: Number(PORT), forceTLS: false, enabledTransports: ['ws'],
    disableStats: true,
    // a signature that cannot be right: the server refuses the subscription with 401
    channelAuthorization: { customHandler: (params, callback) => callback(null, { auth: `${KEY}:${'0'.repeat(64)}` }) },
  });
}

async function rowWith(page, selector, texts) {
  await page.waitForFunction(([s, t]) => [...document.querySelectorAll(s)]
    .some((row) => t.every((text) => row.textContent.includes(text))), [selector, texts], { timeout });
}

async function main() {
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const answers = [];
  let pusher;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    page.on('pageerror', (error) => print({ type: 'page-error', message: error.message }));
    page.on('response', async (response) => {
      if (!response.url().endsWith('/stream')) {
        answers.push(await response.text().catch(() => ''));
      }
    });
    await page.goto(`${base}/dashboard`);
    await page.fill('#user', USER);
    await page.fill('#password', 'not-the-password');
    await page.click('#login-button');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.includes('Wrong user or password'),
      null, { timeout });
    if (!(await page.isHidden('#board'))) throw new Error('the board shows after a wrong password');
    ok('a wrong password is refused');

    await page.fill('#password', PASSWORD);
    await page.click('#login-button');
    await page.waitForSelector('#board:not([hidden])', { timeout });
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('live: app 1'),
      null, { timeout });
    ok('logged in, the page follows app 1 live');

    pusher = client();
    const news = pusher.subscribe('news');
    await new Promise((resolve, reject) => {
      news.bind('pusher:subscription_succeeded', resolve);
      news.bind('pusher:subscription_error', reject);
    });
    const socketId = pusher.connection.socket_id;
    await rowWith(page, '#log tr.connected', [socketId]);
    await rowWith(page, '#log tr.subscribed', ['news', socketId]);
    await rowWith(page, '#channels tr', ['news', '1']);
    await page.waitForFunction(() => document.querySelector('[data-chart="connections"] .now').textContent === '1',
      null, { timeout });
    ok("the client's connection and subscription appear: log, channels, connections chart");

    await page.fill('#socket-id', socketId);
    await page.click('#socket-form button');
    await page.waitForFunction(() => document.getElementById('socket-result').textContent.includes('"news"'),
      null, { timeout });
    ok("the socket id shows the connection's subscriptions");

    const received = new Promise((resolve) => news.bind('test-event', resolve));
    await page.fill('#event-channel', 'news');
    await page.fill('#event-name', 'test-event');
    await page.fill('#event-data', '{"hello":"from the dashboard"}');
    await page.click('#event-send');
    const data = await Promise.race([received, new Promise((_, reject) => setTimeout(() => reject(new Error('no test-event')), timeout))]);
    if (data.hello !== 'from the dashboard') throw new Error('the client received ' + JSON.stringify(data));
    await rowWith(page, '#log tr.published', ['news', 'test-event', '30']);
    ok('a test event sent from the form reaches the client, and the log shows it published');

    const refused = pusher.subscribe('private-orders');
    await new Promise((resolve) => refused.bind('pusher:subscription_error', resolve));
    await rowWith(page, '#log tr.refused', ['private-orders', socketId, '401 AuthError: Invalid signature']);
    ok('the auth refusal shows in the log with its reason');

    await rowWith(page, '#log tr.webhook-sent', ['event(s) to http://127.0.0.1:']);
    ok('a webhook sent shows in the log');

    await page.selectOption('#log-kind', 'refused');
    const kinds = await page.$$eval('#log tr', (rows) => [...new Set(rows.map((row) => row.className))]);
    if (kinds.join(',') !== 'refused') throw new Error('filtered by kind refused, the log shows ' + kinds);
    await page.selectOption('#log-kind', '');
    await page.fill('#log-channel', 'private-');
    await page.dispatchEvent('#log-channel', 'input');
    const channels = await page.$$eval('#log tr td:nth-child(3)', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    if (channels.join(',') !== 'private-orders') throw new Error('filtered by channel, the log shows ' + channels);
    ok('the log filters by kind and by channel');

    if (process.env.SCREENSHOT) {
      await page.fill('#log-channel', '');
      await page.dispatchEvent('#log-channel', 'input');
      await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    }
    print({ type: 'seen', html: await page.content(), answers });
  } finally {
    if (pusher) pusher.disconnect();
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  print({ type: 'fatal', message: String(error && error.stack || error) });
  process.exit(1);
});
