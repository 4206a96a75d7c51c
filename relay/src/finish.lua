-- antonnia relay: settle a claimed message (record format v1).
-- KEYS[1] outbound record  KEYS[2] session queue
-- ARGV[1] message id  ARGV[2] owner token  ARGV[3] done | delivered | released
-- ARGV[4] outcome JSON (done, delivered)  ARGV[5] retention (ms)
-- Returns 1 when the caller still held the claim, 0 otherwise.
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
local owned = (rec.owner == ARGV[2]) and 1 or 0
if rec.state == 'done' then return owned end
if ARGV[3] == 'released' then
  if owned == 0 then return 0 end
  rec.lease_until_ms = 0
elseif ARGV[3] == 'done' then
  rec = {v = 1, state = 'done', created_at_ms = rec.created_at_ms, attempts = rec.attempts,
         lease_until_ms = 0, owner = rec.owner, outcome = cjson.decode(ARGV[4])}
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  rec.state = 'delivered'
  rec.outcome = cjson.decode(ARGV[4])
  rec.lease_until_ms = 0
end
redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[5])
return owned
