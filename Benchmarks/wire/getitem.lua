-- GetItem of a random preloaded item (every request hits; setup.py loaded them all).
-- wrk -t2 -c16 -d12s --latency -s getitem.lua http://127.0.0.1:PORT/
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

function setup(thread) common.setup(thread) end

function init(args)
   common.init()
   common.use_target("GetItem")
end

function request()
   local body = string.format('{"TableName":"%s","Key":{"pk":{"S":"%s"},"sk":{"S":"%s"}}}',
      common.table, common.random_partition(), common.random_sort())
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
