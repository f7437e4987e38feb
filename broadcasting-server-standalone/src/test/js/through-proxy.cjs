// A real pusher-js client connecting with forceTLS through the reverse proxy of ReverseProxyIT.
// Env: HOST, PORT (the proxy's TLS port), KEY; NODE_PATH finds broadcasting-server's node_modules,
// NODE_EXTRA_CA_CERTS trusts the test's self-signed certificate. Prints one JSON line per observation.
const Pusher = require('pusher-js');

const { HOST, PORT, KEY } = process.env;
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

const client = new Pusher(KEY, {
  cluster: 'local',
  wsHost: HOST,
  wssPort: Number(PORT),
  forceTLS: true,
  enabledTransports: ['ws', 'wss'],
  disableStats: true,
});
client.connection.bind('state_change', ({ current }) => print({ type: 'state', state: current }));
client.connection.bind('error', (error) => print({ type: 'connection_error', error: JSON.stringify(error) }));
const channel = client.subscribe('news');
channel.bind('pusher:subscription_succeeded', () => print({ type: 'ready', socketId: client.connection.socket_id }));
channel.bind('Posted', (data) => {
  print({ type: 'event', event: 'Posted', data });
  client.disconnect();
  process.exit(0);
});
setTimeout(() => {
  print({ type: 'timeout' });
  process.exit(3);
}, 20000).unref();
