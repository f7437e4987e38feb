// Encrypts an event payload as a Pusher server SDK does for private-encrypted- channels, so the
// Java test can publish it and check that pusher-js decrypts what the server passed through.
// Usage: node seal.mjs <master key base64> <channel> <plaintext JSON>; prints {"nonce","ciphertext"}.
import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import util from 'tweetnacl-util';

const [masterKeyBase64, channel, plaintext] = process.argv.slice(2);
const sharedSecret = createHash('sha256')
  .update(Buffer.concat([Buffer.from(channel, 'utf8'), Buffer.from(masterKeyBase64, 'base64')]))
  .digest();
const nonce = nacl.randomBytes(24);
const ciphertext = nacl.secretbox(util.decodeUTF8(plaintext), nonce, new Uint8Array(sharedSecret));
process.stdout.write(JSON.stringify({ nonce: util.encodeBase64(nonce), ciphertext: util.encodeBase64(ciphertext) }));
