// Recovery for pusher-js and laravel-echo against broadcasting-server: remembers the position
// (epoch and offset) of the last event seen on each channel, sends it when pusher-js resubscribes
// after a reconnect, and tells the app when the server could not replay what was missed.
// A plain ES module without dependencies; the wire format is in broadcasting-server's README.
//
//   import { enableRecovery, reconnectPromptly } from './broadcasting-recovery.mjs';
//   const recovery = enableRecovery(echo, { onNotRecovered: (channel, info) => refetch(channel) });
//   reconnectPromptly(echo, { every: 2000 });
//
// Channels also receive the event 'broadcasting:not-recovered' (Echo: .listen('.broadcasting:not-recovered')).
// Its reason is the server's (epoch_changed, trimmed, ...) or 'position_unknown': the connection
// dropped after a first subscription succeeded but before the server told its position, so what was
// published meanwhile cannot be asked for. A cluster node that lost events of a channel while cut off
// from Redis, and could not read them back, sends the answer unasked: it is reported the same way.

/**
 * Turns recovery on for a Pusher client or a laravel-echo instance (pusher connector). Returns an
 * object with positions(), the last position per channel, and disable().
 */
export function enableRecovery(client, { onNotRecovered, onRecovered } = {}) {
  const pusher = pusherOf(client, 'enableRecovery');
  const positions = new Map();
  const asked = new Map();
  // channels the app was told are subscribed before the plugin had their position
  const succeeded = new Set();
  const unknown = new Set();

  const sendEvent = pusher.send_event;
  pusher.send_event = function (name, data, channel) {
    if (name === 'pusher:subscribe' && data && typeof data.channel === 'string') {
      const position = positions.get(data.channel);
      if (!position && asked.has(data.channel) && succeeded.has(data.channel)) {
        // The last connection dropped after its subscription succeeded but before the answer
        // gave a position: events of that moment cannot be asked for.
        unknown.add(data.channel);
      }
      asked.set(data.channel, position || null);
      succeeded.delete(data.channel);
      data = { ...data, recovery: position ? { epoch: position.epoch, offset: position.offset } : {} };
    } else if (name === 'pusher:unsubscribe' && data && typeof data.channel === 'string') {
      forget(data.channel);
    }
    return sendEvent.call(this, name, data, channel);
  };

  function forget(channel) {
    positions.delete(channel);
    asked.delete(channel);
    succeeded.delete(channel);
    unknown.delete(channel);
  }

  function answered(channel, info) {
    if (!asked.has(channel)) {
      // Not the answer to a subscription: the server lost events of a channel this connection is
      // on (a cluster node cut off from Redis that could not read them back) and says so at once.
      if (info.epoch !== undefined) positions.set(channel, { epoch: info.epoch, offset: info.offset });
      if (!info.recovered) notRecovered(channel, info);
      return;
    }
    const had = asked.get(channel);
    asked.delete(channel);
    succeeded.delete(channel);
    // After a recovered resubscription the position moves with the replayed events as they arrive,
    // not to the answer's offset at once: if the connection drops before the end of the replay,
    // the next resubscription asks for the rest of it.
    if (info.epoch !== undefined && !(info.recovered && had)) {
      positions.set(channel, { epoch: info.epoch, offset: info.offset });
    }
    // (on a channel without history nothing of that moment could be asked for anyway)
    if (unknown.delete(channel) && info.reason !== 'no_history') {
      notRecovered(channel, { ...info, recovered: false, reason: 'position_unknown' });
      return;
    }
    if (info.recovered) {
      if (had && onRecovered) onRecovered(channel, info); // not on a first subscription: nothing was missed
      return;
    }
    // A first subscription has missed nothing. After a position, even no_history loses the gap: the
    // node that answered lacks the rule the previous one had (a rolling deploy adding it, say).
    if (!had) {
      return;
    }
    notRecovered(channel, info);
  }

  function notRecovered(channel, info) {
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
    } else if (message.event === 'pusher_internal:subscription_succeeded') {
      if (asked.has(message.channel)) succeeded.add(message.channel);
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

/**
 * Makes pusher-js try again every `every` milliseconds (default 2000) while it reconnects after a
 * lost connection, instead of waiting out its own attempt. pusher-js ignores an attempt that fails
 * early (connection refused or reset while the network is down) and starts the next one only when
 * the attempt's timeout ends, 15 s later (then 30 s, up to 60 s): a 2 s outage costs 17 s without
 * events. A first connection is left to pusher-js, so that a wrong address still ends 'unavailable'.
 * Returns an object with disable().
 */
export function reconnectPromptly(client, { every = 2000 } = {}) {
  const pusher = pusherOf(client, 'reconnectPromptly');
  const connection = pusher.connection;
  if (!(every >= 100)) {
    throw new Error(`reconnectPromptly's every must be at least 100 (milliseconds) but was ${every}`);
  }
  if (typeof connection.abortConnecting !== 'function' || typeof connection.startConnecting !== 'function') {
    throw new Error('reconnectPromptly needs pusher-js 7 or 8 (its connection manager restarts attempts)');
  }
  let wasConnected = connection.state === 'connected';
  let timer = null;
  function onStateChange({ current }) {
    clearInterval(timer);
    timer = null;
    if (current === 'connected') {
      wasConnected = true;
    } else if (current === 'disconnected') {
      wasConnected = false; // the app disconnected: its next connect is a first one
    } else if (wasConnected && (current === 'connecting' || current === 'unavailable')) {
      // A new attempt of the same strategy, without touching the state or pusher-js's 'unavailable' timer.
      timer = setInterval(() => {
        if (connection.runner) {
          connection.abortConnecting();
          connection.startConnecting();
        }
      }, every);
    }
  }
  connection.bind('state_change', onStateChange);
  return {
    disable() {
      clearInterval(timer);
      connection.unbind('state_change', onStateChange);
    },
  };
}

function pusherOf(client, what) {
  const pusher = client && client.connector && client.connector.pusher ? client.connector.pusher : client;
  if (!pusher || typeof pusher.send_event !== 'function' || !pusher.connection) {
    throw new Error(`${what} needs a pusher-js client or a laravel-echo instance using the pusher connector`);
  }
  return pusher;
}
