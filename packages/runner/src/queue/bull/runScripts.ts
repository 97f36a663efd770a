/**
 * Lua scripts for run records in Redis. Each state change is one script, so it is atomic against
 * every other server, sweep and worker: a run moves queued -> running -> final once, a late
 * answer never overwrites a final state, and only the attempt that holds the run's token may
 * append events. Keys are built from the prefix (ARGV[1]) inside the scripts, so these are for a
 * single Redis (or a primary with replicas), not Redis Cluster.
 *
 * Hash `<P>:run:<id>`: status, seqNo, name, options, workflow, createdAt, startedAt, finishedAt,
 * error, outputs, clientRequestId, resubmittedFrom, batch, seeds, route, lastSeq, lastType, progress, token
 * (the attempt executing it), cancel ('1' when a stop was asked for while running).
 * Sorted sets `<P>:runs` and `<P>:runs:<status>` (score = submission order); list
 * `<P>:events:<id>` (index = seq); list `<P>:attempts:<id>`.
 */
const HELPERS = `
local P = ARGV[1]
local function runKey(id) return P .. ':run:' .. id end
local function move(id, from, to)
  local key = runKey(id)
  local seq = redis.call('HGET', key, 'seqNo')
  redis.call('ZREM', P .. ':runs:' .. from, id)
  redis.call('ZADD', P .. ':runs:' .. to, seq, id)
  redis.call('HSET', key, 'status', to)
end
local function isFinal(st) return st ~= 'queued' and st ~= 'running' end
local function notify(msg) redis.call('PUBLISH', P .. ':notices', msg) end
`;

/**
 * ARGV: P, id, clientRequestId|'', statusNotice, front '1'|'', field, value, ... -> {1, id} or
 * {0, earlierId}. A front run's place in `<P>:runs:queued` is ahead of every waiting run.
 */
const submit = `
if ARGV[3] ~= '' then
  local seen = redis.call('GET', P .. ':req:' .. ARGV[3])
  if seen then return {0, seen} end
end
local seq = redis.call('INCR', P .. ':runseq')
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', runKey(ARGV[2]), 'seqNo', seq, 'status', 'queued', 'lastSeq', -1, unpack(fields))
redis.call('ZADD', P .. ':runs', seq, ARGV[2])
local place = seq
if ARGV[5] == '1' then
  local first = redis.call('ZRANGE', P .. ':runs:queued', 0, 0, 'WITHSCORES')
  if first[2] then place = tonumber(first[2]) - 1 end
end
redis.call('ZADD', P .. ':runs:queued', place, ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', P .. ':req:' .. ARGV[3], ARGV[2]) end
notify(ARGV[4])
return {1, ARGV[2]}
`;

/**
 * A worker starts an attempt. ARGV: P, id, token, attemptJson, now, statusNotice, cancelError.
 * -> {'run', lastSeq, workflow, options, attemptNumber} | {'final', status} | {'missing'}.
 * A stop asked for while the run was between attempts ends it here, before it starts again.
 */
const begin = `
local key = runKey(ARGV[2])
local st = redis.call('HGET', key, 'status')
if not st then return {'missing'} end
if isFinal(st) then return {'final', st} end
if redis.call('HGET', key, 'cancel') == '1' then
  move(ARGV[2], st, 'cancelled')
  redis.call('HSET', key, 'finishedAt', ARGV[5], 'error', ARGV[7])
  redis.call('HDEL', key, 'token', 'progress', 'cancel')
  notify(ARGV[6])
  return {'final', 'cancelled'}
end
if st == 'queued' then move(ARGV[2], 'queued', 'running') end
if not redis.call('HGET', key, 'startedAt') then redis.call('HSET', key, 'startedAt', ARGV[5]) end
redis.call('HSET', key, 'token', ARGV[3])
redis.call('HDEL', key, 'progress')
local n = redis.call('RPUSH', P .. ':attempts:' .. ARGV[2], ARGV[4])
notify(ARGV[6])
return {'run', redis.call('HGET', key, 'lastSeq'), redis.call('HGET', key, 'workflow'), redis.call('HGET', key, 'options'), n}
`;

/**
 * Appends one event of the attempt holding `token`. ARGV: P, id, token, seq, eventJson, type,
 * progress ('' keep, '-' clear, else JSON), eventNotice. -> 1 ok, 0 not this attempt's run
 * any more, -1 out of order.
 */
const append = `
local key = runKey(ARGV[2])
if redis.call('HGET', key, 'token') ~= ARGV[3] then return 0 end
local ev = P .. ':events:' .. ARGV[2]
if redis.call('LLEN', ev) ~= tonumber(ARGV[4]) then return -1 end
redis.call('RPUSH', ev, ARGV[5])
redis.call('HSET', key, 'lastSeq', ARGV[4], 'lastType', ARGV[6])
if ARGV[7] == '-' then redis.call('HDEL', key, 'progress') elseif ARGV[7] ~= '' then redis.call('HSET', key, 'progress', ARGV[7]) end
notify(ARGV[8])
return 1
`;

/**
 * Closing events for a run already final whose stream has no terminal event (its worker died):
 * ARGV: P, id, seq, eventJson, type, eventNotice. -> 1 appended, 0 not needed or raced.
 */
const appendClosing = `
local key = runKey(ARGV[2])
local st = redis.call('HGET', key, 'status')
if not st or not isFinal(st) then return 0 end
local lt = redis.call('HGET', key, 'lastType')
if lt == 'success' or lt == 'error' or lt == 'interrupted' then return 0 end
local ev = P .. ':events:' .. ARGV[2]
if redis.call('LLEN', ev) ~= tonumber(ARGV[3]) then return 0 end
redis.call('RPUSH', ev, ARGV[4])
redis.call('HSET', key, 'lastSeq', ARGV[3], 'lastType', ARGV[5])
notify(ARGV[6])
return 1
`;

/**
 * Final state. ARGV: P, id, token ('' = whoever holds it), status, now, errorJson|'',
 * outputsJson, statusNotice, then optionally the closing events: firstSeq, and per event
 * eventJson, type, eventNotice. The closing events are appended in the same step, so no reader
 * sees a final run whose stream has not ended. -> 1, 2 (final, but the stream moved on since the
 * closing events were built: they were not appended), or 0 when already final or held by another
 * attempt.
 */
const finish = `
local key = runKey(ARGV[2])
local st = redis.call('HGET', key, 'status')
if not st or isFinal(st) then return 0 end
if ARGV[3] ~= '' and redis.call('HGET', key, 'token') ~= ARGV[3] then return 0 end
move(ARGV[2], st, ARGV[4])
redis.call('HSET', key, 'finishedAt', ARGV[5], 'outputs', ARGV[7])
if ARGV[6] ~= '' then redis.call('HSET', key, 'error', ARGV[6]) end
redis.call('HDEL', key, 'token', 'progress', 'cancel')
local result = 1
if ARGV[9] then
  local ev = P .. ':events:' .. ARGV[2]
  local lt = redis.call('HGET', key, 'lastType')
  local ended = lt == 'success' or lt == 'error' or lt == 'interrupted'
  if not ended and redis.call('LLEN', ev) ~= tonumber(ARGV[9]) then
    result = 2
  elseif not ended then
    local seq = tonumber(ARGV[9])
    for i = 10, #ARGV, 3 do
      redis.call('RPUSH', ev, ARGV[i])
      redis.call('HSET', key, 'lastSeq', seq, 'lastType', ARGV[i + 1])
      notify(ARGV[i + 2])
      seq = seq + 1
    end
  end
end
notify(ARGV[8])
return result
`;

/** The attempt holding `token` hands the run back (shutdown, retry). ARGV: P, id, token, statusNotice. */
const requeue = `
local key = runKey(ARGV[2])
if redis.call('HGET', key, 'status') ~= 'running' then return 0 end
if redis.call('HGET', key, 'token') ~= ARGV[3] then return 0 end
move(ARGV[2], 'running', 'queued')
redis.call('HDEL', key, 'token', 'progress')
notify(ARGV[4])
return 1
`;

/**
 * ARGV: P, id, now, errorJson, statusNotice, cancelNotice -> 'cancelled' (it was queued),
 * 'requested' (running: its worker is told), 'missing', or the final status it already has.
 */
const cancel = `
local key = runKey(ARGV[2])
local st = redis.call('HGET', key, 'status')
if not st then return 'missing' end
if st == 'queued' then
  move(ARGV[2], 'queued', 'cancelled')
  redis.call('HSET', key, 'finishedAt', ARGV[3], 'error', ARGV[4])
  redis.call('HDEL', key, 'token', 'progress', 'cancel')
  notify(ARGV[5])
  return 'cancelled'
end
if st == 'running' then
  redis.call('HSET', key, 'cancel', '1')
  notify(ARGV[6])
  return 'requested'
end
return st
`;

export const RUN_SCRIPTS = { submit, begin, append, appendClosing, finish, requeue, cancel } as const;
export type RunScriptName = keyof typeof RUN_SCRIPTS;

export function scriptSource(name: RunScriptName): string {
  return HELPERS + RUN_SCRIPTS[name];
}
