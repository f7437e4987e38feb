// The chat demo's page. Laravel Echo over pusher-js, pointed at the embedded broadcasting-server;
// everything it shows arrives over the WebSocket, and every private or presence subscription is
// authorized by POST /broadcasting/auth on the Java side.
import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
// broadcasting-server's recovery plugin, bundled into the page by esbuild like the two above.
import { enableRecovery, reconnectPromptly } from '../../../../broadcasting-server/src/main/js/broadcasting-recovery.mjs';

const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  // Echo registers this header on axios/jQuery/Vue/Turbo; with plain fetch we add it ourselves, so the
  // server's toOthers() can leave this tab out of the broadcast of its own message.
  if (window.echo) headers['X-Socket-ID'] = window.echo.socketId();
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error || `${path} answered ${response.status}`);
  return json;
}

function show(element, visible) {
  element.hidden = !visible;
}

function addLine(list, text, className) {
  const item = document.createElement('li');
  item.textContent = text;
  if (className) item.className = className;
  list.append(item);
  list.scrollTop = list.scrollHeight;
  return item;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function addMessage(message, mine) {
  // A message this tab posted while its WebSocket was down comes back in the server's replay (the
  // socket toOthers() left out is gone): it is shown once, by its id.
  if ($('messages').querySelector(`li[data-id="${message.id}"]`)) return;
  const item = addLine($('messages'), '', mine ? 'mine' : '');
  item.dataset.id = message.id;
  const who = document.createElement('strong');
  who.textContent = message.user.name;
  const when = document.createElement('time');
  when.textContent = time(message.sentAt);
  item.append(who, ' ', message.text, ' ', when);
}

const LOST_BECAUSE = {
  epoch_changed: 'the server lost its history: it restarted',
  trimmed: 'more were sent than the server keeps',
};

// No message store in this demo to refetch from: the page says plainly that some are missing.
function notRecovered(channel, info) {
  const list = channel === 'presence-chat' ? $('messages') : $('private');
  addLine(list, `Messages sent while you were offline could not be recovered (${LOST_BECAUSE[info.reason] || info.reason}); `
    + 'they are not shown here', 'error not-recovered');
}

function connect(session) {
  const echo = new Echo({
    broadcaster: 'pusher',
    Pusher,
    key: session.pusher.key,
    cluster: 'mt1', // pusher-js insists on one; wsHost below wins, so it is never used
    wsHost: session.pusher.wsHost || window.location.hostname,
    wsPort: session.pusher.wsPort,
    forceTLS: Boolean(session.pusher.forceTLS), // false: the demo's server speaks plain ws://
    enabledTransports: ['ws'],
    authEndpoint: '/broadcasting/auth', // Echo's default, written out: the Java route in ChatRoutes
  });
  window.echo = echo;
  const me = session.user;
  // The server keeps presence-chat's and private-user.*'s recent events (ChatDemo's history rules):
  // a tab that lost its connection gets what it missed when pusher-js resubscribes, or is told it
  // cannot. reconnectPromptly: pusher-js alone waits 15 s after a failed reconnect attempt.
  enableRecovery(echo, { onNotRecovered: (channel, info) => notRecovered(channel, info) });
  reconnectPromptly(echo);

  show($('status'), true);
  const state = $('connection');
  const problem = $('connection-error');
  // The URL pusher-js really tries: with forceTLS it is wss:// on wssPort (443 unless set), not wsPort.
  const config = echo.connector.pusher.config;
  const address = config.useTLS ? `wss://${config.wsHost}:${config.wssPort}` : `ws://${config.wsHost}:${config.wsPort}`;
  const connection = echo.connector.pusher.connection;
  connection.bind('state_change', ({ current }) => {
    state.textContent = current;
    state.dataset.state = current;
    if (current === 'connected') problem.textContent = '';
    if (current === 'unavailable') problem.textContent = `nothing answers at ${address}: is the server running?`;
  });
  // The server's refusals (4001 unknown app key, 4009 origin not allowed, ...) name what is wrong.
  connection.bind('error', (error) => {
    const data = error && error.error && error.error.data;
    if (data && data.code) problem.textContent = `${data.code}: ${data.message}`;
  });

  echo.channel('ticks').listen('.Tick', (tick) => {
    $('tick').textContent = `#${tick.n} at ${time(tick.at)}`;
  });

  const online = new Map();
  const renderOnline = () => {
    const list = $('online');
    list.replaceChildren();
    for (const user of [...online.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      addLine(list, user.id === me.id ? `${user.name} (you)` : user.name).dataset.userId = user.id;
    }
    $('online-count').textContent = String(online.size);
  };

  const typing = new Map();
  const renderTyping = () => {
    const names = [...typing.keys()];
    $('typing').textContent = names.length === 0 ? '\u00a0'
      : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  };
  const stopTyping = (name) => {
    clearTimeout(typing.get(name));
    typing.delete(name);
    renderTyping();
  };

  const room = echo.join('chat')
    .here((users) => {
      users.forEach((user) => online.set(user.id, user));
      renderOnline();
    })
    .joining((user) => {
      online.set(user.id, user);
      renderOnline();
      addLine($('messages'), `${user.name} joined`, 'notice');
    })
    .leaving((user) => {
      online.delete(user.id);
      renderOnline();
      stopTyping(user.name);
      addLine($('messages'), `${user.name} left`, 'notice');
    })
    .listen('.MessagePosted', (message) => {
      stopTyping(message.user.name);
      addMessage(message, false);
    })
    .listenForWhisper('typing', ({ name }) => {
      clearTimeout(typing.get(name));
      typing.set(name, setTimeout(() => stopTyping(name), 3000));
      renderTyping();
    })
    .error((error) => {
      addLine($('messages'), `presence-chat refused: ${error.status}`, 'error');
      explainRefusal(error);
    });

  let lastWhisper = 0;
  $('send-form').addEventListener('submit', () => { lastWhisper = 0; }); // the next message types afresh
  $('text').addEventListener('input', () => {
    // A client event goes straight from this browser to the others through the WebSocket server;
    // the server allows 10 per second per connection, so one every 1.5 s is plenty.
    if (Date.now() - lastWhisper > 1500) {
      lastWhisper = Date.now();
      room.whisper('typing', { name: me.name });
    }
  });

  // After a restart the demo has forgotten every login (sessions live in its memory): pusher-js
  // reconnects by itself, but the old cookie no longer names a user, so every channel is refused.
  const explainRefusal = async (error) => {
    if (error.status !== 403) return;
    const now = await api('/session').catch(() => null);
    if (now && !now.user) {
      problem.textContent = 'the demo server restarted (or you logged out elsewhere) and no longer knows you: '
        + 'reload the page and log in again';
      $('private-state').textContent = 'refused: log in again';
      show($('relogin'), true);
    }
  };
  $('relogin').addEventListener('click', () => window.location.reload());

  $('private-name').textContent = `private-user.${me.id}`;
  echo.private(`user.${me.id}`)
    .subscribed(() => { $('private-state').textContent = 'subscribed'; })
    .error(explainRefusal)
    .listen('.Mentioned', (mention) => {
      addLine($('private'), `${mention.by} mentioned you: ${mention.text}`);
    });

  // Someone else's id to try: user 1 is the first to log in, so they get 2.
  $('peek-id').value = String(me.id === 1 ? 2 : 1);
  $('peek-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const channel = `user.${$('peek-id').value}`;
    const result = $('peek-result');
    if (channel === `user.${me.id}`) {
      // Echo shares one subscription per name: it would wait for an answer that already came.
      result.textContent = `private-${channel} is your own channel, subscribed above; try another user's id`;
      result.className = 'hint';
      result.dataset.status = 'own';
      return;
    }
    result.textContent = `subscribing to private-${channel}…`;
    result.className = 'hint';
    delete result.dataset.status;
    echo.leave(channel); // so that a second try asks again
    echo.private(channel)
      .subscribed(() => {
        result.textContent = `private-${channel}: subscribed (allowed)`;
        result.className = 'allowed';
      })
      .error((error) => {
        result.textContent = `private-${channel}: refused (${error.status})`;
        result.dataset.status = error.status;
      });
  });
}

async function start() {
  const session = await api('/session');
  show($('login'), !session.user);
  show($('chat'), Boolean(session.user));
  if (!session.user) {
    $('login-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('/login', { name: $('name').value });
        window.location.reload();
      } catch (error) {
        $('login-error').textContent = error.message;
      }
    });
    $('name').focus();
    return;
  }
  $('me').textContent = session.user.name;
  $('logout').addEventListener('click', async () => {
    await api('/logout', {});
    window.location.reload();
  });
  connect(session);
  $('send-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    try {
      const { message } = await api('/messages', { text });
      addMessage(message, true); // toOthers() left this tab out: show our own message here
    } catch (error) {
      addLine($('messages'), error.message, 'error');
    }
  });
  $('text').focus();
}

start().catch((error) => {
  document.body.prepend(Object.assign(document.createElement('p'), { className: 'error', textContent: error.message }));
});
