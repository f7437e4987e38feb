// Load proof for dev.broadcasting.server.LoadTest: opens COUNT raw WebSocket connections (the `ws`
// package, no pusher-js, to keep the client side light), subscribes each to "load", prints
// {"type":"ready"} when all are subscribed, then {"type":"received"} once every connection got
// the one event the test publishes. Counts only; timings are printed for the README, not asserted.
import WebSocket from 'ws';

const { PORT, KEY } = process.env;
const COUNT = Number(process.env.COUNT || 10000);
const IN_FLIGHT = 500;

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

let started = 0;
let subscribed = 0;
let received = 0;
let failed = 0;
const sockets = [];
const t0 = Date.now();

function open() {
  if (started >= COUNT) return;
  started++;
  const ws = new WebSocket(`ws://127.0.0.1:${PORT}/app/${KEY}?protocol=7&client=load&version=1`, { perMessageDeflate: false });
  sockets.push(ws);
  let done = false;
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString());
    if (message.event === 'pusher:connection_established') {
      ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'load' } }));
    } else if (message.event === 'pusher_internal:subscription_succeeded') {
      subscribed++;
      done = true;
      open();
      if (subscribed === COUNT) print({ type: 'ready', subscribed, millis: Date.now() - t0 });
    } else if (message.event === 'Load') {
      received++;
      if (received === COUNT) {
        print({ type: 'received', received, failed });
        sockets.forEach((s) => s.terminate());
        process.exit(0);
      }
    }
  });
  ws.on('error', (error) => {
    failed++;
    print({ type: 'error', error: String(error), started, subscribed });
    if (!done) open();
  });
}

for (let i = 0; i < IN_FLIGHT; i++) open();
setTimeout(() => {
  print({ type: 'timeout', started, subscribed, received, failed });
  process.exit(3);
}, 180000).unref();
