-- One history channel's stream of recent events, shared by all nodes, for recovery: offsets are
-- given here, atomically with the sending of the event, so every node delivers the same position
-- for it and receives the channel's events in the order of their offsets.
--
-- KEYS[1] the stream's position, a hash: epoch -> the stream's identity, last -> its newest offset
-- KEYS[2] the stream: the events (field f), oldest first; its entries always hold the offsets
--         last - XLEN + 1 .. last, as events are only added at the end and trimmed at the start
-- Both keys are hash-tagged with the channel's pub/sub channel, so that on a Redis Cluster they
-- live on the shard that carries the channel's traffic.
--
-- ARGV[1] the operation: append or read;  ARGV[2] the most events kept;  ARGV[3] how long an event
-- is kept (ms);  ARGV[4] the epoch of the stream should it begin anew here (it was never created,
-- expired, deleted or lost with Redis' data: clients' old positions then no longer match)
local position, stream = KEYS[1], KEYS[2]
local op, maxEvents, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
-- a channel's position outlives its last event by a day, so that a client that saw the end of a
-- quiet channel still recovers (with nothing missed) instead of hearing that its epoch changed
local IDLE_MS = 86400000

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local found = redis.call('HMGET', position, 'epoch', 'last')
local epoch, last = found[1], tonumber(found[2])
if not epoch then
  epoch, last = ARGV[4], 0
  redis.call('DEL', stream)
  redis.call('HSET', position, 'epoch', epoch, 'last', 0)
  redis.call('PEXPIRE', position, ttl + IDLE_MS)
end
-- entries are IDed by Redis' clock: those older than the time-to-live go
redis.call('XTRIM', stream, 'MINID', tostring(now - ttl))

if op == 'append' then
  -- ARGV[5] the pub/sub channel, ARGV[6] PUBLISH or SPUBLISH, ARGV[7] the envelope's head
  -- (origin node and except socket), ARGV[8] the event's frame. Answers its offset.
  last = redis.call('HINCRBY', position, 'last', 1)
  redis.call('XADD', stream, 'MAXLEN', maxEvents, '*', 'f', ARGV[8])
  redis.call('PEXPIRE', stream, ttl)
  redis.call('PEXPIRE', position, ttl + IDLE_MS)
  redis.call(ARGV[6], ARGV[5], ARGV[7] .. '\n' .. epoch .. '\n' .. last .. '\n' .. ARGV[8])
  return last
elseif op == 'read' then
  -- ARGV[5] the client's epoch ('' for the current one), ARGV[6] its offset ('' to ask only for the
  -- stream's position), ARGV[7] the most events answered. Answers {reason or '', epoch, last,
  -- frames after the offset...}: every frame after the offset (up to the limit), or none.
  if ARGV[6] == '' then return {'', epoch, last} end
  if ARGV[5] ~= '' and ARGV[5] ~= epoch then return {'epoch_changed', epoch, last} end
  local from = tonumber(ARGV[6])
  if from == nil or from < 0 or from > last then return {'invalid_position', epoch, last} end
  local missed = last - from
  local reply = {'', epoch, last}
  if missed == 0 then return reply end
  if redis.call('XLEN', stream) < missed then return {'trimmed', epoch, last} end
  local entries = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', missed)
  local oldest = #entries
  local newest = math.max(1, oldest - tonumber(ARGV[7]) + 1)
  for i = oldest, newest, -1 do
    table.insert(reply, entries[i][2][2])
  end
  return reply
end
return redis.error_reply('unknown operation ' .. tostring(op))
