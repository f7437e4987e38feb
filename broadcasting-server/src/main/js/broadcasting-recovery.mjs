// Recovery for pusher-js and laravel-echo against broadcasting-server: remembers the position
// (epoch and offset) of the last event seen on each channel, sends it when pusher-js resubscribes
// after a reconnect, and tells the app when the server could not replay what was missed.
// A plain ES module without dependencies; the wire format is in broadcasting-server's README.
//
//   import { enableRecovery } from './broadcasting-recovery.mjs';
//   const recovery = enableRecovery(echo, { onNotRecovered: (channel, info) => refetch(channel) });
//
// Channels also receive the event 'broadcasting:not-recovered' (Echo: .listen('.broadcasting:not-recovered')).

/**
 * Turns recovery on for a Pusher client or a laravel-echo instance (pusher connector). Returns an
 * object with positions(), the last position per channel, and disable().
 */
export function enableRecovery(client, { onNotRecovered, onRecovered } = {}) {
  const pusher = client && client.connector && client.connector.pusher ? client.connector.pusher : client;
  if (!pusher || typeof pusher.send_event !== 'function' || !pusher.connection) {
    throw new Error('enableRecovery needs a pusher-js client or a laravel-echo instance using the pusher connector');
  }
  const positions = new Map();
  const asked = new Map();

  const sendEvent = pusher.send_event;
  pusher.send_event = function (name, data, channel) {
    if (name === 'pusher:subscribe' && data && typeof data.channel === 'string') {
      const position = positions.get(data.channel);
      asked.set(data.channel, position || null);
      data = { ...data, recovery: position ? { epoch: position.epoch, offset: position.offset } : {} };
    } else if (name === 'pusher:unsubscribe' && data && typeof data.channel === 'string') {
      positions.delete(data.channel);
      asked.delete(data.channel);
    }
    return sendEvent.call(this, name, data, channel);
  };

  function answered(channel, info) {
    if (info.epoch !== undefined) {
      positions.set(channel, { epoch: info.epoch, offset: info.offset });
    }
    const had = asked.get(channel);
    asked.delete(channel);
    if (info.recovered) {
      if (onRecovered) onRecovered(channel, info);
      return;
    }
    if (!had || info.reason === 'no_history') {
      return;
    }
    if (onNotRecovered) onNotRecovered(channel, info);
    const subscribed = pusher.channel(channel);
    if (subscribed) subscribed.emit('broadcasting:not-recovered', info);
  }

  // pusher-js drops unknown top-level fields when it decodes a message, so positions are read
  // from the raw frames, after pusher-js has dispatched them to the app.
  function onRawMessage(messageEvent) {
    let message;
    try {
      message = JSON.parse(messageEvent.data);
    } catch (e) {
      return;
    }
    if (!message || typeof message.channel !== 'string') return;
    if (message.event === 'broadcasting:recovery') {
      let info;
      try {
        info = typeof message.data === 'string' ? JSON.parse(message.data) : message.data;
      } catch (e) {
        return;
      }
      answered(message.channel, info);
    } else if (typeof message.offset === 'number' && typeof message.epoch === 'string') {
      positions.set(message.channel, { epoch: message.epoch, offset: message.offset });
    }
  }

  let transport = null;
  function watch() {
    const connection = pusher.connection.connection;
    const next = connection && connection.transport;
    if (next && next !== transport) {
      transport = next;
      transport.bind('message', onRawMessage);
    }
  }
  pusher.connection.bind('connected', watch);
  watch();

  return {
    positions: () => new Map(positions),
    disable() {
      pusher.send_event = sendEvent;
      pusher.connection.unbind('connected', watch);
      if (transport) transport.unbind('message', onRawMessage);
    },
  };
}
