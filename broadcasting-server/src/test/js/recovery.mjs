// laravel-echo (pusher-js underneath) with the recovery plugin of src/main/js, driven by the Java
// test dev.broadcasting.server.RecoveryPusherJsTest through a TCP proxy that drops and stalls the
// connection. Usage: node recovery.mjs, with PORT, KEY, CHANNEL, LAST (the n of the last event),
// RECOVERY (0 to run without the plugin), RECONNECT_EVERY (milliseconds: the plugin's prompt
// reconnect; unset for pusher-js's own timing) and TIMEOUT (seconds, default 25) in the environment.
// Prints one JSON line per observation.
import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import { enableRecovery, reconnectPromptly } from '../../main/js/broadcasting-recovery.mjs';

const { PORT, KEY, CHANNEL, LAST, RECOVERY, RECONNECT_EVERY, TIMEOUT } = process.env;

function print(line) {
  process.stdout.write(JSON.stringify({ ...line, at: Date.now() }) + '\n');
}

const echo = new Echo({
  broadcaster: 'pusher',
  key: KEY,
  Pusher,
  cluster: 'local',
  wsHost: '127.0.0.1',
  wsPort: Number(PORT),
  forceTLS: false,
  enabledTransports: ['ws'],
  disableStats: true,
});
if (RECOVERY !== '0') {
  enableRecovery(echo, {
    onNotRecovered: (channel, info) => print({ type: 'not_recovered', channel, reason: info.reason, offset: info.offset }),
    onRecovered: (channel, info) => print({ type: 'recovered', channel, replayed: info.replayed }),
  });
}
if (RECONNECT_EVERY) {
  reconnectPromptly(echo, { every: Number(RECONNECT_EVERY) });
}
const pusher = echo.connector.pusher;
pusher.connection.bind('state_change', ({ current }) => print({ type: current }));
// 'ready' once first subscribed and, with the plugin, once the server's first answer gave the
// plugin its position (the plugin reads it right after this listener); 'subscribed' on every later
// subscription.
let subscribed = false;
let answered = RECOVERY === '0';
let ready = false;
function readyOnce() {
  if (!ready && subscribed && answered) {
    ready = true;
    print({ type: 'ready' });
  }
}
const received = [];
echo.channel(CHANNEL)
  .subscribed(() => {
    if (ready) print({ type: 'subscribed' });
    subscribed = true;
    readyOnce();
  })
  .listen('.broadcasting:recovery', () => {
    answered = true;
    readyOnce();
  })
  .listen('.broadcasting:not-recovered', (info) => print({ type: 'channel_not_recovered', reason: info.reason }))
  .listen('.Tick', (data) => {
    print({ type: 'event', n: data.n });
    received.push(data.n);
    if (data.n === Number(LAST)) {
      print({ type: 'done', received });
      echo.disconnect();
      setTimeout(() => process.exit(0), 50);
    }
  });
setTimeout(() => {
  print({ type: 'timeout' });
  process.exit(1);
}, Number(TIMEOUT || 25) * 1000);
