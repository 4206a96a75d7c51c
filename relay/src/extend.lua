-- antonnia relay: extend a live claim while its holder is still delivering (record format v1).
-- KEYS[1] outbound record; ARGV[1] owner token; ARGV[2] lease (ms).
-- Returns 1 when extended; 0 when the caller no longer holds a live claim
-- (an expired claim is never revived: another worker may have taken it).
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.owner ~= ARGV[1] or rec.state ~= 'pending' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if rec.lease_until_ms <= now then return 0 end
rec.lease_until_ms = now + tonumber(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode(rec), 'KEEPTTL')
return 1
