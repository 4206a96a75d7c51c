-- antonnia relay: forget a contact's session only if it is still that session.
-- KEYS[1] the contact's session record; ARGV[1] the finished session's id.
local raw = redis.call('GET', KEYS[1])
if raw and cjson.decode(raw).session_id == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
