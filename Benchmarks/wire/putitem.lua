-- PutItem of a new ~100-byte item per request: key (w<thread>-<counter>, s0000), never preloaded.
-- wrk -t2 -c16 -d12s --latency -s putitem.lua http://127.0.0.1:PORT/
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local counter = 0

function setup(thread) common.setup(thread) end

function init(args)
   common.init()
   common.use_target("PutItem")
end

function request()
   counter = counter + 1
   local body = string.format(
      '{"TableName":"%s","Item":{"pk":{"S":"w%d-%d"},"sk":{"S":"s0000"},"n":{"N":"%d"},"data":{"S":"%s"}}}',
      common.table, thread_number or 0, counter, counter, common.payload)
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
