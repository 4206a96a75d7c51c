-- antonnia relay: register an assistant message and try to claim it (record format v1).
-- KEYS[1] outbound record  KEYS[2] session queue  KEYS[3] session's contact record
-- ARGV[1] message id  ARGV[2] created_at (ms)  ARGV[3] message JSON  ARGV[4] owner token
-- ARGV[5] lease (ms)  ARGV[6] retention (ms)  ARGV[7] channel type  ARGV[8] session key base
local function esc(s)
  return (string.gsub(s, '[%%:{}]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
local raw_contact = redis.call('GET', KEYS[3])
if not raw_contact then return cjson.encode({result = 'unknown_session'}) end
if cjson.decode(raw_contact).channel_type ~= ARGV[7] then return cjson.encode({result = 'not_ours'}) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local raw = redis.call('GET', KEYS[1])
local rec
if raw then
  rec = cjson.decode(raw)
  if rec.state == 'done' then return cjson.encode({result = 'done'}) end
else
  rec = {v = 1, state = 'pending', created_at_ms = tonumber(ARGV[2]), attempts = 0, lease_until_ms = 0, message = ARGV[3]}
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
-- Messages of the session registered before this one go first.
local queue = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, id in ipairs(queue) do
  if id == ARGV[1] then break end
  local eraw = redis.call('GET', ARGV[8] .. 'out:' .. esc(id))
  local e = eraw and cjson.decode(eraw)
  if not e or e.state == 'done' then
    redis.call('ZREM', KEYS[2], id)
  else
    local left = e.lease_until_ms - now
    if left < 0 then left = 0 end
    if not raw then redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[6]) end
    return cjson.encode({result = 'earlier', message_id = id, lease_ms = left, message = e.message})
  end
end
if rec.lease_until_ms > now and rec.owner ~= ARGV[4] then
  if not raw then redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[6]) end
  return cjson.encode({result = 'busy', lease_ms = rec.lease_until_ms - now})
end
rec.attempts = rec.attempts + 1
rec.owner = ARGV[4]
rec.lease_until_ms = now + tonumber(ARGV[5])
redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[6])
if rec.state == 'delivered' then
  return cjson.encode({result = 'unreported', attempt = rec.attempts, outcome = rec.outcome, contact = raw_contact})
end
return cjson.encode({result = 'claimed', attempt = rec.attempts, contact = raw_contact, message = rec.message})
