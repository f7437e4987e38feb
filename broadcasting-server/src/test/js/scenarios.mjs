// Real pusher-js and laravel-echo clients against the embedded server, driven by the Java tests in
// dev.broadcasting.server.PusherJsTest. Usage: node scenarios.mjs <scenario>, with PORT, KEY and
// AUTH_URL in the environment. Every observation is printed as one JSON line on stdout; the Java
// test reads them, publishes when told "ready", and asserts on what was printed.
import Pusher from 'pusher-js';
import Echo from 'laravel-echo';

const { PORT, KEY, AUTH_URL, SIGNIN_URL } = process.env;
const scenario = process.argv[2];

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function pusherOptions(user) {
  return {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: Number(PORT),
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: AUTH_URL, transport: 'ajax', params: { user: user || 'nobody' } },
    userAuthentication: { endpoint: SIGNIN_URL || AUTH_URL, transport: 'ajax', params: { user: user || 'nobody' } },
  };
}

function pusher(user) {
  const client = new Pusher(KEY, pusherOptions(user));
  client.connection.bind('error', (error) => print({ type: 'connection_error', error: String(error && error.error && error.error.data && error.error.data.code) }));
  return client;
}

function echo(user) {
  return new Echo({
    broadcaster: 'pusher',
    key: KEY,
    Pusher,
    ...pusherOptions(user),
    authEndpoint: AUTH_URL,
    auth: { params: { user } },
  });
}

function subscribed(channel) {
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
}

const scenarios = {
  // A public channel: one event from the server, printed with its parsed data.
  async public() {
    const client = pusher();
    const channel = client.subscribe('news');
    await subscribed(channel);
    channel.bind('Posted', (data) => {
      print({ type: 'event', channel: 'news', event: 'Posted', data });
      client.disconnect();
    });
    print({ type: 'ready', socketId: client.connection.socket_id });
  },

  // laravel-echo on a private channel: Echo asks AUTH_URL, which signs with the server driver.
  async private() {
    const e = echo('alice');
    e.private('orders.1')
      .subscribed(() => print({ type: 'ready', socketId: e.socketId() }))
      .listen('.Shipped', (data) => {
        print({ type: 'event', channel: 'private-orders.1', event: 'Shipped', data });
        e.disconnect();
      });
  },

  // laravel-echo presence: alice sees herself, then bob join, then bob leave.
  async presence() {
    const alice = echo('alice');
    alice.join('room.1')
      .here((users) => {
        print({ type: 'here', users });
        const bob = echo('bob');
        bob.join('room.1').here((bobSees) => {
          print({ type: 'bob_here', users: bobSees });
          setTimeout(() => bob.leave('room.1'), 100);
        });
      })
      .joining((user) => print({ type: 'joining', user }))
      .leaving((user) => {
        print({ type: 'leaving', user });
        alice.disconnect();
        setTimeout(() => process.exit(0), 100);
      });
  },

  // Whispers (client events) between two Echo clients on a private channel; never echoed back.
  async whisper() {
    const alice = echo('alice');
    const bob = echo('bob');
    const heard = { alice: 0, bob: 0 };
    const aliceChannel = alice.private('chat.1');
    aliceChannel.listenForWhisper('typing', () => { heard.alice++; });
    await new Promise((resolve) => aliceChannel.subscribed(resolve));
    const bobChannel = bob.private('chat.1');
    bobChannel.listenForWhisper('typing', (data) => {
      heard.bob++;
      print({ type: 'whisper', to: 'bob', data });
      setTimeout(() => {
        print({ type: 'done', heard });
        alice.disconnect();
        bob.disconnect();
        process.exit(0);
      }, 300);
    });
    await new Promise((resolve) => bobChannel.subscribed(resolve));
    aliceChannel.whisper('typing', { name: 'alice' });
  },

  // An encrypted channel: pusher-js decrypts with the shared_secret from AUTH_URL.
  async encrypted() {
    const client = pusher('alice');
    const channel = client.subscribe('private-encrypted-vault');
    await subscribed(channel);
    channel.bind('Secret', (data) => {
      print({ type: 'event', channel: 'private-encrypted-vault', event: 'Secret', data });
      client.disconnect();
    });
    channel.bind('pusher:decryption_error', (error) => print({ type: 'decryption_error', error: String(error) }));
    print({ type: 'ready', socketId: client.connection.socket_id });
  },

  // AUTH_URL signs private-forged with the wrong secret: the server must refuse it.
  async forged() {
    const client = pusher('mallory');
    const channel = client.subscribe('private-forged');
    channel.bind('pusher:subscription_succeeded', () => print({ type: 'subscribed' }));
    channel.bind('pusher:subscription_error', (error) => {
      print({ type: 'subscription_error', status: error.status, error: error.error, errorType: error.type });
      client.disconnect();
    });
  },

  // pusher:signin, then an event sent to the user through #server-to-user-<id>.
  async signin() {
    const client = pusher('alice');
    client.user.bind('Note', (data) => {
      print({ type: 'user_event', event: 'Note', data });
      client.disconnect();
    });
    client.bind('pusher:signin_success', () => {
      // the user channel subscription follows the sign-in; wait for it before asking for the event
      const wait = () => (client.user.serverToUserChannel && client.user.serverToUserChannel.subscribed)
        ? print({ type: 'ready', socketId: client.connection.socket_id })
        : setTimeout(wait, 20);
      wait();
    });
    client.signin();
  },
};

const run = scenarios[scenario];
if (!run) {
  print({ type: 'fatal', error: 'unknown scenario ' + scenario });
  process.exit(2);
}
setTimeout(() => {
  print({ type: 'timeout' });
  process.exit(3);
}, 20000).unref();
run().catch((error) => {
  print({ type: 'fatal', error: String(error && (error.stack || JSON.stringify(error))) });
  process.exit(1);
});
