// Two users in Debian's chromium, driven by playwright-core, against a running chat demo.
// ChatDemoBrowserTest starts the demo and runs: node chat-e2e.cjs, with
//   BASE_URL   the demo's page, e.g. http://127.0.0.1:41234/
//   CHROMIUM   the browser binary (never downloaded: Debian's package)
//   SCREENSHOT where to save Ann's page at the end
// It prints one "ok <check>" line per check that passed and exits non-zero at the first failure;
// chat-e2e.checks lists every check, in order, for the Java tests that run it.
const net = require('node:net');
const { chromium } = require('playwright-core');

const baseUrl = process.env.BASE_URL;
const screenshot = process.env.SCREENSHOT;
const timeout = 15000;

function ok(check) {
  console.log(`ok ${check}`);
}

// Set once every check passed and the browser is closing: a page may still be fetching /session
// then (after the restart check, its 403s make it look again), and closing disposes that response.
let closing = false;

// Answers the page's GET /session with what the demo said, changed by edit(session).
async function rewriteSession(route, edit) {
  try {
    const response = await route.fetch();
    const session = await response.json();
    edit(session);
    await route.fulfill({ response, json: session });
  } catch (error) {
    if (!closing) throw error;
  }
}

// A TCP proxy in front of the WebSocket server, for one tab's network trouble: down() drops its
// connections and refuses new ones (pusher-js's reconnect attempts fail too), up() lets them through.
async function webSocketProxy(targetPort) {
  const sockets = new Set();
  let server = null;
  const proxy = {
    port: 0,
    up: () => new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const [socket, other] of [[client, upstream], [upstream, client]]) {
          sockets.add(socket);
          socket.pipe(other);
          socket.on('error', () => other.destroy());
          socket.on('close', () => { sockets.delete(socket); other.destroy(); });
        }
      });
      server.once('error', reject);
      server.listen(proxy.port, '127.0.0.1', () => {
        proxy.port = server.address().port;
        resolve();
      });
    }),
    down: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
  await proxy.up();
  return proxy;
}

async function logIn(browser, name, { proxy } = {}) {
  const context = await browser.newContext({ viewport: { width: 1160, height: 700 } });
  if (proxy) {
    // the page opens its WebSocket where /session says: through the proxy
    await context.route('**/session', (route) => rewriteSession(route, (session) => {
      if (session.pusher) session.pusher.wsPort = proxy.port;
    }));
  }
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`[${name} console] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.log(`[${name} page error] ${error.message}`));
  await page.goto(baseUrl);
  await page.waitForSelector('#login:not([hidden])', { timeout });
  if (!(await page.isHidden('#chat'))) throw new Error(`${name}: the chat shows before logging in`);
  await page.fill('#name', name);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button')]);
  await page.waitForSelector('#connection[data-state="connected"]', { timeout });
  await page.waitForFunction(() => document.getElementById('private-state').textContent === 'subscribed',
    null, { timeout });
  ok(`${name} logged in, connected, and subscribed to private-user.<own id>`);
  return { context, page };
}

async function userId(page) {
  return page.evaluate(async () => (await (await fetch('/session')).json()).user.id);
}

async function onlineNames(page) {
  return page.$$eval('#online li', (items) => items.map((item) => item.textContent));
}

async function waitForText(page, selector, text) {
  await page.waitForFunction(([s, t]) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)),
    [selector, text], { timeout });
}

// Drops the page's WebSocket and waits until pusher-js has noticed (it reconnects 1 s after a close).
async function cutOff(page, proxy) {
  proxy.down();
  await page.waitForSelector('#connection:not([data-state="connected"])', { timeout });
}

async function post(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
  await waitForText(page, '#messages li.mine', text); // the server took it: the next one comes after
}

// The texts of the lines of `selector` that contain `part`, in the order shown.
async function linesWith(page, selector, part) {
  return page.$$eval(selector, (items, p) => items.map((item) => item.textContent)
    .filter((text) => text.includes(p)), part);
}

async function main() {
  const session = await (await fetch(new URL('/session', baseUrl))).json();
  const annProxy = await webSocketProxy(session.pusher.wsPort);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    // Playwright gives each launch a fresh temporary --user-data-dir of its own.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const ann = await logIn(browser, 'Ann', { proxy: annProxy });
    const bob = await logIn(browser, 'Bob');
    const bobId = await userId(bob.page);

    for (const [name, user] of [['Ann', ann], ['Bob', bob]]) {
      await user.page.waitForFunction(() => document.getElementById('online-count').textContent === '2',
        null, { timeout });
      const names = (await onlineNames(user.page)).map((n) => n.replace(' (you)', '')).sort();
      if (names.join(',') !== 'Ann,Bob') throw new Error(`${name} sees online: ${names}`);
      await user.page.waitForFunction(() => /^#\d+ at /.test(document.getElementById('tick').textContent),
        null, { timeout });
    }
    ok('presence shows Ann and Bob on both pages');
    ok('both pages receive ticks on the public channel');

    await ann.page.type('#text', 'Hello @Bob');
    await waitForText(bob.page, '#typing', 'Ann is typing');
    ok('Bob sees "Ann is typing…" (whisper, a client event)');

    await ann.page.press('#text', 'Enter');
    await waitForText(bob.page, '#messages li', 'Hello @Bob');
    ok("Ann's message appears on Bob's page");
    await waitForText(bob.page, '#private li', 'Ann mentioned you: Hello @Bob');
    ok("Bob's private channel receives the mention");

    await bob.page.type('#text', 'Hi @Ann');
    await bob.page.press('#text', 'Enter');
    await waitForText(ann.page, '#messages li', 'Hi @Ann');
    await waitForText(ann.page, '#private li', 'Bob mentioned you: Hi @Ann');
    // Bob's reply went out after Ann's message on the same channel: had toOthers() not left Ann's
    // tab out, her own copy would have arrived before the reply.
    const annCopies = (await linesWith(ann.page, '#messages li', 'Hello @Bob')).length;
    if (annCopies !== 1) throw new Error(`Ann sees her own message ${annCopies} times`);
    ok("Bob's reply and mention reach Ann, and Ann sees her own message once (toOthers via X-Socket-ID)");

    // Ann's network to the WebSocket server goes (her HTTP requests still pass): she posts, Bob
    // posts three messages, one mentioning her. When her tab is back, the server replays what it
    // missed: each once, in order, her own included but shown once.
    await cutOff(ann.page, annProxy);
    await post(ann.page, 'while away');
    const missed = ['missed one', 'missed two @Ann', 'missed three'];
    for (const text of missed) await post(bob.page, text);
    await annProxy.up();
    await waitForText(ann.page, '#messages li', 'missed three');
    const shown = await linesWith(ann.page, '#messages li', 'missed ');
    if (shown.length !== 3 || !missed.every((text, i) => shown[i].includes(text))) {
      throw new Error(`Ann's page shows the missed messages as ${JSON.stringify(shown)}`);
    }
    const own = await linesWith(ann.page, '#messages li', 'while away');
    if (own.length !== 1) throw new Error(`Ann sees her message posted while away ${own.length} times`);
    await waitForText(ann.page, '#private li', 'Bob mentioned you: missed two @Ann');
    const mentions = (await linesWith(ann.page, '#private li', 'missed two')).length;
    if (mentions !== 1) throw new Error(`Ann sees the missed mention ${mentions} times`);
    ok("Ann's tab, cut off from the WebSocket server, shows what Bob posted meanwhile once each, in order (recovery)");

    // Cut off longer than the history (100 events): the page says some messages are missing, and
    // goes on with the live ones.
    await cutOff(ann.page, annProxy);
    const flooded = await bob.page.evaluate(async () => {
      const posts = Array.from({ length: 101 }, (_, i) => fetch('/messages', { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: `flood ${i + 1}` }) }));
      return (await Promise.all(posts)).filter((response) => response.status === 201).length;
    });
    if (flooded !== 101) throw new Error(`only ${flooded} of Bob's 101 posts were taken`);
    await annProxy.up();
    await waitForText(ann.page, '#messages li.not-recovered', 'could not be recovered (more were sent than the server keeps)');
    if ((await linesWith(ann.page, '#messages li', 'flood ')).length !== 0) throw new Error('Ann got part of a gap replayed');
    await post(bob.page, 'after the gap');
    await waitForText(ann.page, '#messages li', 'after the gap');
    ok("after a gap longer than the history, Ann's page says messages are missing and shows none of them");

    const annId = await userId(ann.page);
    const suggested = await ann.page.inputValue('#peek-id');
    if (suggested === String(annId)) throw new Error(`"Someone else's channel?" suggests Ann's own id ${annId}`);
    ok("\"Someone else's channel?\" suggests another user's id, not Ann's own");
    await ann.page.fill('#peek-id', String(annId));
    await ann.page.click('#peek-form button');
    await waitForText(ann.page, '#peek-result', `private-user.${annId} is your own channel`);
    ok('trying her own channel tells Ann it is hers');

    await ann.page.fill('#peek-id', String(bobId));
    await ann.page.click('#peek-form button');
    await waitForText(ann.page, '#peek-result', `private-user.${bobId}: refused (403)`);
    ok(`Ann's Echo subscription to private-user.${bobId} is refused with 403`);
    const status = await ann.page.evaluate(async (id) => {
      const response = await fetch('/broadcasting/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `socket_id=${encodeURIComponent(window.echo.socketId())}&channel_name=private-user.${id}`,
      });
      return response.status;
    }, bobId);
    if (status !== 403) throw new Error(`POST /broadcasting/auth for Bob's channel as Ann answered ${status}`);
    ok(`POST /broadcasting/auth for private-user.${bobId} as Ann answers 403`);

    await bob.page.type('#text', 'see you');
    await waitForText(ann.page, '#typing', 'Bob is typing');
    await ann.page.screenshot({ path: screenshot });
    ok("screenshot saved");

    await bob.context.close();
    await waitForText(ann.page, '#messages li', 'Bob left');
    await ann.page.waitForFunction(() => document.getElementById('online-count').textContent === '1',
      null, { timeout });
    ok('presence tells Ann that Bob left');

    // Echo configured with forceTLS against this plain-ws server: pusher-js tries wss:// on port 443.
    const tlsPage = await ann.context.newPage();
    await tlsPage.route('**/session', (route) => rewriteSession(route, (session) => {
      session.pusher.forceTLS = true;
    }));
    await tlsPage.goto(baseUrl);
    const host = new URL(baseUrl).hostname;
    await waitForText(tlsPage, '#connection-error', `nothing answers at wss://${host}:443`);
    ok('with forceTLS the page names the URL pusher-js tried: wss://<host>:443');
    await tlsPage.close();

    // What a restarted demo looks like to an open tab: pusher-js reconnects, and the cookie it
    // still has names no session on the server.
    await ann.context.addCookies([{ name: 'chat_session', value: 'from-before-the-restart', url: baseUrl }]);
    await ann.page.evaluate(() => {
      window.echo.connector.pusher.disconnect();
      window.echo.connector.pusher.connect();
    });
    await waitForText(ann.page, '#connection-error', 'reload the page and log in again');
    if (await ann.page.isHidden('#relogin')) throw new Error('no reload button after the stale session');
    ok('after a restart the page tells Ann to reload and log in again');
  } finally {
    closing = true;
    await browser.close();
  }
}

main().then(() => process.exit(0), (error) => {
  console.log(`FAILED ${error.stack || error}`);
  process.exit(1);
});
