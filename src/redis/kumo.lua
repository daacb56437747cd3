#!lua name=kumo
--[[ kumo.lua - kumo's frontier in Redis, one library of Redis Functions (FUNCTION LOAD),
embedded in the binary at build time and loaded at start when missing or older.

Every function takes one key, the crawl's prefix P (the spider's name), and names the rest
from it.  Times are the server's (TIME), so the workers' clocks do not matter.

  P:q:SLOT:PRIO  LIST  the requests of one download slot and priority, newest first (LIFO
                       within a priority); SLOT is the local downloader's slot key
  P:sp:SLOT      ZSET  the priorities that have requests in SLOT, scored by themselves
  P:slotq        ZSET  slot -> requests queued in it (the slots that have requests)
  P:nq           STR   requests queued, all slots together
  P:ready        ZSET  slot -> its best priority: slots with requests that are due (a lease
                       still checks their leases out against the concurrency)
  P:wait         ZSET  slot -> when it is due (ms): slots with requests waiting for a delay
  P:inflight     HASH  slot -> its leases out (a lease holds its slot until acked,
                       expired or handed back)
  P:next         ZSET  slot -> the earliest time (ms) it may lease again (its delay after
                       the last lease and after the last ack)
  P:delay        HASH  slot -> its own delay (ms): what the workers' AutoThrottle or a
                       robots.txt Crawl-delay made of it; else P:conf's
  P:conf         HASH  conc, delay (ms), rand: the politeness settings workers lease with
  P:robots:ORIGIN       HASH  s, b: the status and body of ORIGIN's robots.txt (a TTL)
  P:robots_lock:ORIGIN  STR   the worker fetching it (PX: others fetch once it expires)
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

A request is kumo's own packed encoding (KIND "r", SOURCE its slot); a start url read from
the start-urls list is kept as read (KIND "u") and goes back to that list (SOURCE) when its
lease expires.  Version 2 kept requests in P:prios and P:q:PRIO: a lease moves them to the
slot "".
]]

local VERSION = 4

local function now_ms()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- ---- download slots ----

local function slot_delay(P, slot)
    local d = redis.call('HGET', P .. ':delay', slot)
    if not d then
        d = redis.call('HGET', P .. ':conf', 'delay')
    end
    return tonumber(d or '0')
end

-- The delay's factor after lease tok: 0.5 to 1.5 with RANDOMIZE_DOWNLOAD_DELAY (as
-- Scrapy's Slot.download_delay()), from the token (Park-Miller), else 1.
local function jitter(P, tok)
    if redis.call('HGET', P .. ':conf', 'rand') ~= '1' then
        return 1
    end
    return 0.5 + ((tonumber(tok) * 16807) % 2147483647) / 2147483647
end

-- Slot may lease again no sooner than at (ms).
local function hold_until(P, slot, at)
    local cur = tonumber(redis.call('ZSCORE', P .. ':next', slot) or '0')
    if at > cur then
        redis.call('ZADD', P .. ':next', at, slot)
    end
end

-- Slot has requests and perhaps a free lease: it waits for its time (a lease checks).
local function offer(P, slot)
    local at = tonumber(redis.call('ZSCORE', P .. ':next', slot) or '0')
    redis.call('ZADD', P .. ':wait', 'NX', at, slot)
end

-- A lease of slot ended (acked, expired, handed back): the slot holds its delay from now
-- on too, so that a worker's wait between its lease and its transfer cannot bring two
-- workers' transfers closer than the delay.
local function release(P, slot, tok)
    if redis.call('HINCRBY', P .. ':inflight', slot, -1) <= 0 then
        redis.call('HDEL', P .. ':inflight', slot)
    end
    local d = slot_delay(P, slot)
    if d > 0 then
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        hold_until(P, slot, now + d * jitter(P, tok))
    end
    if redis.call('ZSCORE', P .. ':slotq', slot) then
        offer(P, slot)
    end
end

local function enqueue(P, slot, prio, data)
    redis.call('LPUSH', P .. ':q:' .. slot .. ':' .. prio, data)
    redis.call('ZADD', P .. ':sp:' .. slot, prio, prio)
    redis.call('ZINCRBY', P .. ':slotq', 1, slot)
    redis.call('INCR', P .. ':nq')
    offer(P, slot)
end

local function pending(P)
    return tonumber(redis.call('GET', P .. ':nq') or '0')
end

-- Version 2's queues (P:prios, P:q:PRIO) move to the slot "".
local function migrate(P)
    local prios = redis.call('ZRANGE', P .. ':prios', 0, -1)
    for _, p in ipairs(prios) do
        local old, new = P .. ':q:' .. p, P .. ':q::' .. p
        local n = redis.call('LLEN', old)
        if n > 0 then
            if redis.call('EXISTS', new) == 0 then
                redis.call('RENAME', old, new)
            else
                for _ = 1, n do
                    redis.call('LMOVE', old, new, 'LEFT', 'RIGHT')
                end
            end
            redis.call('ZADD', P .. ':sp:', p, p)
            redis.call('ZINCRBY', P .. ':slotq', n, '')
            redis.call('INCRBY', P .. ':nq', n)
            offer(P, '')
        end
    end
    if #prios > 0 then
        redis.call('DEL', P .. ':prios')
    end
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
    local kind, _, worker, slot = parse(rec)
    redis.call('HDEL', P .. ':leases', tok)
    redis.call('ZREM', P .. ':lease_exp', tok)
    redis.call('SREM', P .. ':wl:' .. worker, tok)
    if kind == 'r' then
        release(P, slot, tok)
    end
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
        enqueue(P, source, prio, data)
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

-- Queue n requests given as PRIO BUCKET VALUE FLAGS SLOT DATA from args[i]: returns
-- queued, filtered.  FLAGS 1: dont_filter (not looked up in, nor added to, the dupefilter).
local function push_many(P, args, i, n)
    local queued, filtered = 0, 0
    for _ = 1, n do
        local prio, bucket, value, flags, slot, data = args[i], args[i + 1], args[i + 2],
                                                         args[i + 3], args[i + 4], args[i + 5]
        i = i + 6
        local new = true
        if flags ~= '1' then
            new = redis.call('SADD', P .. ':seen:' .. bucket, value) == 1
            if new then
                redis.call('INCR', P .. ':nseen')
            end
        end
        if new then
            enqueue(P, slot, prio, data)
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

-- kumo_push(P, n, [PRIO BUCKET VALUE FLAGS SLOT DATA] * n): {queued, filtered}
local function kumo_push(keys, args)
    local P = keys[1]
    local queued, filtered = push_many(P, args, 2, tonumber(args[1]))
    return {queued, filtered}
end

-- Slots whose delay is over become ready, at their best priority.
local function wake_due(P, now)
    local due = redis.call('ZRANGEBYSCORE', P .. ':wait', '-inf', now, 'LIMIT', 0, 1000)
    for _, slot in ipairs(due) do
        redis.call('ZREM', P .. ':wait', slot)
        local best = redis.call('ZRANGE', P .. ':sp:' .. slot, 0, 0, 'REV')
        if #best > 0 then
            redis.call('ZADD', P .. ':ready', best[1], slot)
        end
    end
end

-- kumo_lease(P, worker, n, ttl_ms, dead_ms, startkey, conc, delay_ms, rand, nd,
-- [SLOT DELAY_MS] * nd): up to n leases, flat: TOKEN KIND DATA ..., then how long (ms) until
-- a slot that waits for its delay is due (-1: none waits), then how many requests the
-- frontier holds (leased ones not counted).  Only from slots that are due
-- and have fewer than conc leases out (CONCURRENT_REQUESTS_PER_DOMAIN or _PER_IP), one per
-- slot and call when the slot has a delay (DOWNLOAD_DELAY, rand 1: randomized); the best
-- priority first among them, the newest first within a priority; from the start-urls list
-- (when startkey is not "") only when the frontier is empty.  The nd pairs are the slot
-- delays the worker's AutoThrottle (or a Crawl-delay) set since its last lease.
local function kumo_lease(keys, args)
    local P, worker, n, ttl = keys[1], args[1], tonumber(args[2]), tonumber(args[3])
    local startkey = args[5]
    local conc = math.max(1, tonumber(args[6]))
    redis.call('HSET', P .. ':conf', 'conc', conc, 'delay', args[7], 'rand', args[8])
    for k = 1, tonumber(args[9]) do
        redis.call('HSET', P .. ':delay', args[8 + 2 * k], args[9 + 2 * k])
    end
    local now = now_ms()
    migrate(P)
    reap(P, now, tonumber(args[4]))
    redis.call('ZREMRANGEBYSCORE', P .. ':next', '-inf', now)
    wake_due(P, now)
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
        return tok
    end
    local got = 0
    while got < n do
        local top = redis.call('ZRANGE', P .. ':ready', '+inf', '-inf', 'BYSCORE', 'REV',
                               'LIMIT', 0, 1)
        if #top == 0 then
            break
        end
        local slot = top[1]
        local sp = P .. ':sp:' .. slot
        local busy = tonumber(redis.call('HGET', P .. ':inflight', slot) or '0')
        local at = tonumber(redis.call('ZSCORE', P .. ':next', slot) or '0')
        local best = redis.call('ZRANGE', sp, 0, 0, 'REV')
        if #best == 0 or busy >= conc then
            redis.call('ZREM', P .. ':ready', slot)    -- a release offers it again
        elseif at > now then
            redis.call('ZREM', P .. ':ready', slot)
            redis.call('ZADD', P .. ':wait', at, slot)
        else
            local prio, d = best[1], slot_delay(P, slot)
            local k = math.min(n - got, conc - busy)
            if d > 0 then
                k = 1
            end
            local q = P .. ':q:' .. slot .. ':' .. prio
            local reqs = redis.call('LPOP', q, k) or {}
            for _, data in ipairs(reqs) do
                local tok = lease('r', prio, slot, data)
                got = got + 1
                if d > 0 then
                    hold_until(P, slot, now + d * jitter(P, tok))
                end
            end
            if #reqs > 0 then
                redis.call('HINCRBY', P .. ':inflight', slot, #reqs)
                redis.call('DECRBY', P .. ':nq', #reqs)
                if tonumber(redis.call('ZINCRBY', P .. ':slotq', -#reqs, slot)) <= 0 then
                    redis.call('ZREM', P .. ':slotq', slot)
                end
            end
            if redis.call('LLEN', q) == 0 then
                redis.call('ZREM', sp, prio)
            end
            best = redis.call('ZRANGE', sp, 0, 0, 'REV')
            if #best == 0 then
                redis.call('ZREM', P .. ':ready', slot)
            else
                redis.call('ZADD', P .. ':ready', best[1], slot)
            end
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
    local first = redis.call('ZRANGE', P .. ':wait', 0, 0, 'WITHSCORES')
    out[#out + 1] = #first > 0 and math.max(0, tonumber(first[2]) - now) or -1
    out[#out + 1] = pending(P)
    return out
end

-- kumo_ack(P, worker, token, itemskey, nchildren, [6 fields] * nchildren, nitems,
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

-- kumo_unlease_after(P, worker, token): the worker lost the answer to a lease (the
-- connection broke): its leases above token, the last it knows of, go back to the
-- frontier (its heartbeat would keep them out for ever).  Returns how many.
local function kumo_unlease_after(keys, args)
    local P, worker, after = keys[1], args[1], tonumber(args[2])
    local n = 0
    for _, tok in ipairs(redis.call('SMEMBERS', P .. ':wl:' .. worker)) do
        if tonumber(tok) > after then
            n = n + requeue(P, tok, 'lease/lost')
        end
    end
    return n
end

-- kumo_robots(P, origin, worker, lock_ms): {1, status, body} when the cluster has origin's
-- robots.txt; {0} when the caller fetches it (it holds the lock for lock_ms); {2, ms} while
-- another worker fetches it (ask again; its lock ends in ms at the latest).
local function kumo_robots(keys, args)
    local P, origin, worker, lock = keys[1], args[1], args[2], tonumber(args[3])
    local got = redis.call('HMGET', P .. ':robots:' .. origin, 's', 'b')
    if got[1] then
        return {1, tonumber(got[1]), got[2] or ''}
    end
    local lk = P .. ':robots_lock:' .. origin
    if redis.call('SET', lk, worker, 'NX', 'PX', lock) then
        return {0}
    end
    return {2, redis.call('PTTL', lk)}
end

-- kumo_robots_put(P, origin, worker, status, body, ttl_ms): store origin's robots.txt for
-- ttl_ms and drop the worker's lock; status "" drops the lock only (the fetch failed: the
-- next worker to ask fetches it).
local function kumo_robots_put(keys, args)
    local P, origin, worker, status = keys[1], args[1], args[2], args[3]
    if status ~= '' then
        local key = P .. ':robots:' .. origin
        redis.call('HSET', key, 's', status, 'b', args[4])
        redis.call('PEXPIRE', key, tonumber(args[5]))
    end
    local lk = P .. ':robots_lock:' .. origin
    if redis.call('GET', lk) == worker then
        redis.call('DEL', lk)
    end
    return 1
end

redis.register_function('kumo_version', kumo_version)
redis.register_function('kumo_push', kumo_push)
redis.register_function('kumo_lease', kumo_lease)
redis.register_function('kumo_ack', kumo_ack)
redis.register_function('kumo_heartbeat', kumo_heartbeat)
redis.register_function('kumo_release', kumo_release)
redis.register_function('kumo_unlease_after', kumo_unlease_after)
redis.register_function('kumo_robots', kumo_robots)
redis.register_function('kumo_robots_put', kumo_robots_put)
