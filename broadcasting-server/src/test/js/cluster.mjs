// Remote-controlled pusher-js and laravel-echo clients for the cluster tests of
// broadcasting-server-redis: the Java test writes one JSON command a line on stdin, each naming
// a client and the node port it talks to, and reads every observation as one JSON line on stdout.
//   {"op":"connect","id":"a","port":6001,"user":"alice"}      pusher-js client
//   {"op":"subscribe","id":"a","channel":"news"}              prints subscribed, then each event
//   {"op":"echo","id":"e","port":6001,"user":"alice","room":"room.1"}  Echo join: here/joining/leaving
//   {"op":"whisper","id":"a","channel":"private-chat","event":"client-typing","data":{...}}
//   {"op":"signin","id":"a"}   {"op":"disconnect","id":"a"}
// AUTH_URL and SIGNIN_URL sign as the application would, for the user given at connect.
import Pusher from 'pusher-js';
import Echo from 'laravel-echo';
import readline from 'node:readline';

const { KEY, AUTH_URL, SIGNIN_URL } = process.env;
const clients = {};

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function options(port, user) {
  return {
    cluster: 'local',
    wsHost: '127.0.0.1',
    wsPort: Number(port),
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: { endpoint: AUTH_URL, transport: 'ajax', params: { user } },
    userAuthentication: { endpoint: SIGNIN_URL, transport: 'ajax', params: { user } },
  };
}

function watch(id, client) {
  client.connection.bind('state_change', ({ current }) => print({ type: 'state', id, state: current }));
  client.connection.bind('connected', () => print({ type: 'connected', id, socketId: client.connection.socket_id }));
}

const ops = {
  connect({ id, port, user }) {
    const client = new Pusher(KEY, options(port, user));
    clients[id] = client;
    watch(id, client);
    client.bind('pusher:signin_success', () => {
      const wait = () => (client.user.serverToUserChannel && client.user.serverToUserChannel.subscribed)
        ? print({ type: 'signed_in', id })
        : setTimeout(wait, 20);
      wait();
    });
    client.user.bind_global((event, data) => print({ type: 'user_event', id, event, data }));
  },

  subscribe({ id, channel: name }) {
    const channel = clients[id].subscribe(name);
    channel.bind_global((event, data) => {
      if (event === 'pusher:subscription_succeeded') {
        const members = channel.members ? Object.keys(channel.members.members).sort() : undefined;
        print({ type: 'subscribed', id, channel: name, members });
      } else {
        print({ type: 'event', id, channel: name, event, data });
      }
    });
  },

  unsubscribe({ id, channel }) {
    clients[id].unsubscribe(channel);
  },

  echo({ id, port, user, room }) {
    const echo = new Echo({ broadcaster: 'pusher', key: KEY, Pusher, ...options(port, user), authEndpoint: AUTH_URL,
      auth: { params: { user } } });
    clients[id] = echo.connector.pusher;
    watch(id, echo.connector.pusher);
    echo.join(room)
      .here((users) => print({ type: 'here', id, users: users.map((u) => u.name).sort() }))
      .joining((user) => print({ type: 'joining', id, user: user.name }))
      .leaving((user) => print({ type: 'leaving', id, user: user.name }));
  },

  whisper({ id, channel, event, data }) {
    clients[id].channel(channel).trigger(event, data);
  },

  signin({ id }) {
    clients[id].signin();
  },

  disconnect({ id }) {
    clients[id].disconnect();
  },
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const command = JSON.parse(line);
    ops[command.op](command);
  } catch (error) {
    print({ type: 'fatal', error: String(error && error.stack) });
  }
}).on('close', () => process.exit(0));
print({ type: 'started' });
