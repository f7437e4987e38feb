// The official Pusher Node.js server SDK (npm "pusher") against the embedded server, driven by the
// Java tests. Usage: node sdk.mjs triggerBatch '<batch JSON>', with PORT, APP_ID, KEY and SECRET in
// the environment. Prints one JSON line: the HTTP status and the answer as the SDK's response parses it.
import Pusher from 'pusher';

const { PORT, APP_ID, KEY, SECRET } = process.env;
const pusher = new Pusher({ appId: APP_ID, key: KEY, secret: SECRET, host: '127.0.0.1', port: PORT, useTLS: false });

const [command, argument] = process.argv.slice(2);
if (command !== 'triggerBatch') {
  throw new Error(`unknown command ${command}`);
}
const response = await pusher.triggerBatch(JSON.parse(argument));
process.stdout.write(JSON.stringify({ type: 'answer', status: response.status, body: await response.json() }) + '\n');
