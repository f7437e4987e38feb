-- The cluster's shared state of one app, changed atomically: each decision (channel occupied or
-- vacated, member added or removed) is taken here once, for all nodes.
--
-- KEYS[1] the app's key prefix, with a hash tag so that every key of the app is in one slot
-- ARGV[1] the operation: join, leave, sync, beat or drop;  ARGV[2] this node's id
--
-- Keys under the prefix:
--   nodes             zset  node id -> lease end (ms, Redis clock)
--   node:<id>         hash  "s:<channel>" -> the node's sockets on the channel,
--                           "p:<channel>\n<user>" -> the node's connections of a presence member
--   subs              hash  channel -> sockets on all nodes
--   mc:<channel>      hash  user -> connections on all nodes
--   m:<channel>       hash  user -> user_info JSON
--   cache:<channel>   string, the last event of a cache channel (set by publish, read by join)
--   lapsed:<id>       string, set when a node's lease ran out and its state was dropped (a day)
local P = KEYS[1]
local op = ARGV[1]
local self = ARGV[2]
local events = {}
-- set while registering a node again after Redis lost its state: the clients and webhooks were
-- never told of a change then, so none is announced
local quiet = false

local function decide(event)
  if not quiet then table.insert(events, event) end
end

local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Adds delta to one field of node n's contribution and to the cluster's totals, recording the
-- decisions it makes. A node never takes away more than it added.
local function bump(n, field, delta, info)
  local nk = P .. 'node:' .. n
  if delta < 0 then
    local mine = tonumber(redis.call('HGET', nk, field) or '0')
    if mine < -delta then delta = -mine end
  end
  if delta == 0 then return end
  if redis.call('HINCRBY', nk, field, delta) <= 0 then redis.call('HDEL', nk, field) end
  if string.sub(field, 1, 2) == 's:' then
    local channel = string.sub(field, 3)
    local total = redis.call('HINCRBY', P .. 'subs', channel, delta)
    if total <= 0 then
      redis.call('HDEL', P .. 'subs', channel)
      if total - delta > 0 then decide({'channel_vacated', channel}) end
    elseif total - delta <= 0 then
      decide({'channel_occupied', channel})
    end
  else
    local cut = string.find(field, '\n', 3, true)
    local channel = string.sub(field, 3, cut - 1)
    local user = string.sub(field, cut + 1)
    local total = redis.call('HINCRBY', P .. 'mc:' .. channel, user, delta)
    if total <= 0 then
      redis.call('HDEL', P .. 'mc:' .. channel, user)
      if redis.call('HDEL', P .. 'm:' .. channel, user) == 1 then
        decide({'member_removed', channel, user})
      end
    elseif total - delta <= 0 then
      redis.call('HSET', P .. 'm:' .. channel, user, info)
      decide({'member_added', channel, user, info})
    end
  end
end

-- Takes away everything node n added, as when it left or its lease ran out.
local function drop(n)
  local fields = redis.call('HGETALL', P .. 'node:' .. n)
  for i = 1, #fields, 2 do
    bump(n, fields[i], -tonumber(fields[i + 1]))
  end
  redis.call('DEL', P .. 'node:' .. n)
  redis.call('ZREM', P .. 'nodes', n)
end

local function registered()
  return redis.call('ZSCORE', P .. 'nodes', self)
end

if op == 'join' then
  -- ARGV[3] channel, ARGV[4] user id or '', ARGV[5] user_info JSON, ARGV[6] most members
  if not registered() then return {'unregistered'} end
  local channel, user = ARGV[3], ARGV[4]
  local mkey = P .. 'm:' .. channel
  if user ~= '' and redis.call('HEXISTS', mkey, user) == 0
      and redis.call('HLEN', mkey) >= tonumber(ARGV[6]) then
    -- the socket is counted as a subscriber all the same, so that its leave, which may already be
    -- on its way if it closes now, takes away what was added; the node undoes it with that leave
    bump(self, 's:' .. channel, 1)
    return {'full'}
  end
  bump(self, 's:' .. channel, 1)
  if user ~= '' then bump(self, 'p:' .. channel .. '\n' .. user, 1, ARGV[5]) end
  local members = {}
  if user ~= '' then members = redis.call('HGETALL', mkey) end
  local cached = redis.call('GET', P .. 'cache:' .. channel) or ''
  return {'ok', events, members, cached}
elseif op == 'leave' then
  -- ARGV[3] channel, ARGV[4] user id or ''
  local channel, user = ARGV[3], ARGV[4]
  bump(self, 's:' .. channel, -1)
  if user ~= '' then bump(self, 'p:' .. channel .. '\n' .. user, -1) end
  return {'ok', events}
elseif op == 'sync' then
  -- ARGV[3] lease (ms); ARGV[4] 'again' when this node registered before; then triples: field,
  -- count, user_info JSON. Makes this node's contribution what it says, whatever Redis held
  -- before. A node registered before that Redis neither knows nor dropped lost its state with
  -- Redis (a restart): the others still show its members, so its changes are not announced.
  local lapsed = redis.call('DEL', P .. 'lapsed:' .. self) == 1
  quiet = ARGV[4] == 'again' and not registered() and not lapsed
  redis.call('ZADD', P .. 'nodes', now() + tonumber(ARGV[3]), self)
  local old = {}
  local fields = redis.call('HGETALL', P .. 'node:' .. self)
  for i = 1, #fields, 2 do old[fields[i]] = tonumber(fields[i + 1]) end
  for i = 5, #ARGV, 3 do
    local field, count = ARGV[i], tonumber(ARGV[i + 1])
    bump(self, field, count - (old[field] or 0), ARGV[i + 2])
    old[field] = nil
  end
  for field, count in pairs(old) do bump(self, field, -count) end
  return {'ok', events}
elseif op == 'beat' then
  -- ARGV[3] lease (ms). Extends this node's lease and drops the nodes whose lease ran out.
  if not registered() then return {'unregistered'} end
  local t = now()
  redis.call('ZADD', P .. 'nodes', t + tonumber(ARGV[3]), self)
  for _, n in ipairs(redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', t, 'LIMIT', 0, 20)) do
    drop(n)
    redis.call('SET', P .. 'lapsed:' .. n, '1', 'PX', 86400000)
  end
  return {'ok', events}
elseif op == 'drop' then
  drop(self)
  return {'ok', events}
end
return redis.error_reply('unknown operation ' .. tostring(op))
