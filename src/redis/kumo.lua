#!lua name=kumo
--[[ kumo.lua - kumo's frontier in Redis, one library of Redis Functions (FUNCTION LOAD),
embedded in the binary at build time and loaded at start when missing or older.

Every function takes one key, the crawl's prefix P (the spider's name), and names the rest
from it.  Times are the server's (TIME), so the workers' clocks do not matter.

  P:prios        ZSET  the priorities that have requests, scored by themselves
  P:q:PRIO       LIST  the requests of one priority, newest first (LIFO within a priority)
  P:seen:B       SET   dupefilter bucket B (0..16383): 50-bit fingerprint remainders, which
                       Redis keeps as an intset (8 bytes each)
  P:nseen        STR   how many fingerprints the buckets hold
  P:tok          STR   the fencing counter: every lease gets the next value
  P:leases       HASH  token -> KIND PRIO "\n" WORKER "\n" SOURCE "\n" DATA
  P:lease_exp    ZSET  token -> expiry (ms)
  P:wl:WORKER    SET   a worker's tokens
  P:workers      HASH  worker -> last heartbeat (ms)
  P:idle         HASH  worker -> idle since (ms), 0 when busy
  P:stats        HASH  cluster-wide counters
  P:start        STR   set once: the start requests were scheduled (SET NX by a worker)

A request is kumo's own packed encoding (KIND "r"); a start url read from the start-urls
list is kept as read (KIND "u") and goes back to that list (SOURCE) when its lease expires.
]]

local VERSION = 2

local function now_ms()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function enqueue(P, prio, data)
    redis.call('LPUSH', P .. ':q:' .. prio, data)
    redis.call('ZADD', P .. ':prios', prio, prio)
end

local function pending(P)
    local n = 0
    for _, p in ipairs(redis.call('ZRANGE', P .. ':prios', 0, -1)) do
        n = n + redis.call('LLEN', P .. ':q:' .. p)
    end
    return n
end

-- kind, prio, worker, source, data of a lease record
local function parse(rec)
    local a = string.find(rec, '\n', 1, true)
    local b = string.find(rec, '\n', a + 1, true)
    local c = string.find(rec, '\n', b + 1, true)
    return string.sub(rec, 1, 1), string.sub(rec, 2, a - 1), string.sub(rec, a + 1, b - 1),
           string.sub(rec, b + 1, c - 1), string.sub(rec, c + 1)
end

-- Forget lease tok; returns its record (nil when it is not out).
local function unlease(P, tok)
    local rec = redis.call('HGET', P .. ':leases', tok)
    if not rec then
        return nil
    end
    local _, _, worker = parse(rec)
    redis.call('HDEL', P .. ':leases', tok)
    redis.call('ZREM', P .. ':lease_exp', tok)
    redis.call('SREM', P .. ':wl:' .. worker, tok)
    return rec
end

-- Put lease tok's request back where it came from; count it under stat.
local function requeue(P, tok, stat)
    local rec = unlease(P, tok)
    if not rec then
        return 0
    end
    local kind, prio, _, source, data = parse(rec)
    if kind == 'u' then
        redis.call('RPUSH', source, data)
    else
        enqueue(P, prio, data)
    end
    redis.call('HINCRBY', P .. ':stats', stat, 1)
    return 1
end

-- Expired leases go back to the frontier; workers silent for longer than dead_ms are gone.
local function reap(P, now, dead_ms)
    local toks = redis.call('ZRANGEBYSCORE', P .. ':lease_exp', '-inf', now, 'LIMIT', 0, 1000)
    for _, tok in ipairs(toks) do
        requeue(P, tok, 'lease/expired')
    end
    local w = redis.call('HGETALL', P .. ':workers')
    for i = 1, #w, 2 do
        if now - tonumber(w[i + 1]) > dead_ms then
            redis.call('HDEL', P .. ':workers', w[i])
            redis.call('HDEL', P .. ':idle', w[i])
        end
    end
end

local function type_error(key, want)
    local t = redis.call('TYPE', key)['ok']
    if t ~= 'none' and t ~= want then
        return 'WRONGTYPE key \'' .. key .. '\' holds a ' .. t .. ', kumo expects a ' .. want
    end
    return nil
end

-- Queue n requests given as PRIO BUCKET VALUE FLAGS DATA from args[i]: returns queued,
-- filtered.  FLAGS 1: dont_filter (not looked up in, nor added to, the dupefilter).
local function push_many(P, args, i, n)
    local queued, filtered = 0, 0
    for _ = 1, n do
        local prio, bucket, value, flags, data = args[i], args[i + 1], args[i + 2],
                                                   args[i + 3], args[i + 4]
        i = i + 5
        local new = true
        if flags ~= '1' then
            new = redis.call('SADD', P .. ':seen:' .. bucket, value) == 1
            if new then
                redis.call('INCR', P .. ':nseen')
            end
        end
        if new then
            enqueue(P, prio, data)
            queued = queued + 1
        else
            filtered = filtered + 1
        end
    end
    if filtered > 0 then
        redis.call('HINCRBY', P .. ':stats', 'dupefilter/filtered', filtered)
    end
    if queued > 0 then
        redis.call('HINCRBY', P .. ':stats', 'scheduler/enqueued', queued)
    end
    return queued, filtered, i
end

local function beat(P, worker, now, idle_ms)
    redis.call('HSET', P .. ':workers', worker, now)
    redis.call('HSET', P .. ':idle', worker, idle_ms >= 0 and (now - idle_ms) or 0)
end

-- kumo_version(P): the library's version.
local function kumo_version(keys, args)
    return VERSION
end

-- kumo_push(P, n, [PRIO BUCKET VALUE FLAGS DATA] * n): {queued, filtered}
local function kumo_push(keys, args)
    local P = keys[1]
    local queued, filtered = push_many(P, args, 2, tonumber(args[1]))
    return {queued, filtered}
end

-- kumo_lease(P, worker, n, ttl_ms, dead_ms, startkey): up to n leases, flat: TOKEN KIND DATA
-- ...; best priority first, the newest first within a priority; from the start-urls list
-- (when startkey is not "") only when the frontier is empty.
local function kumo_lease(keys, args)
    local P, worker, n, ttl = keys[1], args[1], tonumber(args[2]), tonumber(args[3])
    local startkey = args[5]
    local now = now_ms()
    reap(P, now, tonumber(args[4]))
    local out = {}
    local function lease(kind, prio, source, data)
        local tok = redis.call('INCR', P .. ':tok')
        redis.call('HSET', P .. ':leases', tok,
                   kind .. prio .. '\n' .. worker .. '\n' .. source .. '\n' .. data)
        redis.call('ZADD', P .. ':lease_exp', now + ttl, tok)
        redis.call('SADD', P .. ':wl:' .. worker, tok)
        out[#out + 1] = tok
        out[#out + 1] = kind
        out[#out + 1] = data
    end
    local got = 0
    while got < n do
        local top = redis.call('ZRANGE', P .. ':prios', '+inf', '-inf', 'BYSCORE', 'REV',
                               'LIMIT', 0, 1)
        if #top == 0 then
            break
        end
        local q = P .. ':q:' .. top[1]
        local reqs = redis.call('LPOP', q, n - got)
        if reqs then
            for _, data in ipairs(reqs) do
                lease('r', top[1], '', data)
                got = got + 1
            end
        end
        if redis.call('LLEN', q) == 0 then
            redis.call('ZREM', P .. ':prios', top[1])
        end
    end
    if got == 0 and startkey ~= '' then
        local err = type_error(startkey, 'list')
        if err then
            return redis.error_reply(err)
        end
        local urls = redis.call('LPOP', startkey, n)
        if urls then
            for _, data in ipairs(urls) do
                lease('u', '0', startkey, data)
            end
        end
    end
    if #out > 0 then
        redis.call('HINCRBY', P .. ':stats', 'scheduler/dequeued', #out / 3)
    end
    return out
end

-- kumo_ack(P, worker, token, itemskey, nchildren, [5 fields] * nchildren, nitems,
-- [JSON] * nitems, nstats, [NAME N] * nstats): the lease's response is done; its child
-- requests, items and stats are stored in the same call.  {1, queued, filtered}, or {0, 0, 0}
-- when the lease is no longer this worker's (expired, leased again: the token moved).
local function kumo_ack(keys, args)
    local P, worker, tok, itemskey = keys[1], args[1], args[2], args[3]
    local rec = redis.call('HGET', P .. ':leases', tok)
    if not rec then
        redis.call('HINCRBY', P .. ':stats', 'lease/refused', 1)
        return {0, 0, 0}
    end
    local _, _, owner = parse(rec)
    if owner ~= worker then
        redis.call('HINCRBY', P .. ':stats', 'lease/refused', 1)
        return {0, 0, 0}
    end
    if itemskey ~= '' then
        local err = type_error(itemskey, 'list')
        if err then
            return redis.error_reply(err)
        end
    end
    unlease(P, tok)
    local queued, filtered, i = push_many(P, args, 5, tonumber(args[4]))
    local nitems = tonumber(args[i])
    i = i + 1
    for _ = 1, nitems do
        redis.call('RPUSH', itemskey, args[i])
        i = i + 1
    end
    local nstats = tonumber(args[i])
    i = i + 1
    for _ = 1, nstats do
        redis.call('HINCRBY', P .. ':stats', args[i], args[i + 1])
        i = i + 2
    end
    redis.call('HINCRBY', P .. ':stats', 'lease/acked', 1)
    return {1, queued, filtered}
end

-- kumo_heartbeat(P, worker, ttl_ms, dead_ms, idle_ms, close_after_ms, startkey): the worker
-- is alive (its leases are extended) and idle for idle_ms (-1: busy).  Returns {done,
-- pending, leased, seen, workers, start}: done 1 when the frontier and the start-urls list
-- are empty, no lease is out and every live worker has been idle for close_after_ms.
local function kumo_heartbeat(keys, args)
    local P, worker, ttl, dead = keys[1], args[1], tonumber(args[2]), tonumber(args[3])
    local idle, close_after, startkey = tonumber(args[4]), tonumber(args[5]), args[6]
    local now = now_ms()
    beat(P, worker, now, idle)
    for _, tok in ipairs(redis.call('SMEMBERS', P .. ':wl:' .. worker)) do
        redis.call('ZADD', P .. ':lease_exp', 'XX', now + ttl, tok)
    end
    reap(P, now, dead)
    local npending, nleased = pending(P), redis.call('HLEN', P .. ':leases')
    local nstart = 0
    if startkey ~= '' and redis.call('TYPE', startkey)['ok'] == 'list' then
        nstart = redis.call('LLEN', startkey)
    end
    local all_idle = true
    local w = redis.call('HGETALL', P .. ':idle')
    for i = 1, #w, 2 do
        local since = tonumber(w[i + 1])
        if since == 0 or now - since < close_after then
            all_idle = false
        end
    end
    local done = (npending == 0 and nleased == 0 and nstart == 0 and all_idle) and 1 or 0
    local nseen = tonumber(redis.call('GET', P .. ':nseen') or '0')
    return {done, npending, nleased, nseen, #w / 2, nstart}
end

-- kumo_release(P, worker): the worker stops: its leases go back, it leaves the cluster.
local function kumo_release(keys, args)
    local P, worker = keys[1], args[1]
    local n = 0
    for _, tok in ipairs(redis.call('SMEMBERS', P .. ':wl:' .. worker)) do
        n = n + requeue(P, tok, 'lease/released')
    end
    redis.call('DEL', P .. ':wl:' .. worker)
    redis.call('HDEL', P .. ':workers', worker)
    redis.call('HDEL', P .. ':idle', worker)
    return n
end

redis.register_function('kumo_version', kumo_version)
redis.register_function('kumo_push', kumo_push)
redis.register_function('kumo_lease', kumo_lease)
redis.register_function('kumo_ack', kumo_ack)
redis.register_function('kumo_heartbeat', kumo_heartbeat)
redis.register_function('kumo_release', kumo_release)
