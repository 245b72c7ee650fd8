-- Query of a random preloaded partition (WIRE_ITEMS items, 100 by default), first page of 10.
-- wrk -t2 -c16 -d12s --latency -s query.lua http://127.0.0.1:PORT/
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

function setup(thread) common.setup(thread) end

function init(args)
   common.init()
   common.use_target("Query")
end

function request()
   local body = string.format(
      '{"TableName":"%s","KeyConditionExpression":"pk = :p",'
         .. '"ExpressionAttributeValues":{":p":{"S":"%s"}},"Limit":10}',
      common.table, common.random_partition())
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
