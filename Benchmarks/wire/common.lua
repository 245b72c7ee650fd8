-- Shared by putitem.lua, getitem.lua and query.lua: the DynamoDB JSON 1.0 request shape and the
-- key space that setup.py preloads. Loaded with dofile() from the directory of the calling script.
--
-- Environment (the same names setup.py reads):
--   WIRE_TABLE       table name (default "wire")
--   WIRE_PARTITIONS  preloaded partitions p0000 .. (default 100)
--   WIRE_ITEMS       items per partition, sort keys s0000 .. (default 100)

local common = {}

common.table = os.getenv("WIRE_TABLE") or "wire"
common.partitions = tonumber(os.getenv("WIRE_PARTITIONS") or "100")
common.items = tonumber(os.getenv("WIRE_ITEMS") or "100")

-- About 60 bytes of payload: with the keys and attribute names an item is about 100 bytes.
common.payload = string.rep("abcdefghij", 6)

-- Any well-formed SigV4 Authorization header: strata-server (without --credentials) and moto_server
-- accept it unverified. moto_server reads the region from the credential scope, so it must match
-- the region setup.py creates the table in.
function common.use_target(operation)
   wrk.method = "POST"
   wrk.path = "/"
   wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
   wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. operation
   wrk.headers["X-Amz-Date"] = "20260101T000000Z"
   wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 "
      .. "Credential=AKIDWIREBENCH/20260101/us-east-1/dynamodb/aws4_request, "
      .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
      .. "Signature=" .. string.rep("0123456789abcdef", 4)
end

function common.partition_key(i) return string.format("p%04d", i) end
function common.sort_key(i) return string.format("s%04d", i) end

-- A random preloaded key.
function common.random_partition() return common.partition_key(math.random(0, common.partitions - 1)) end
function common.random_sort() return common.sort_key(math.random(0, common.items - 1)) end

-- Thread numbering: setup() runs once per thread in the main Lua state, init() in the thread's own.
local next_thread = 0
function common.setup(thread)
   thread:set("thread_number", next_thread)
   next_thread = next_thread + 1
end

function common.init()
   math.randomseed(os.time() * 1000 + (thread_number or 0))
end

-- One machine-readable line for run.sh, then wrk's own report stays as is.
function common.done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local non2xx = summary.errors.status
   local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
   io.write(string.format("WIRE_RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d socket_errors=%d\n",
      summary.requests / seconds, latency:percentile(50), latency:percentile(99),
      summary.requests, non2xx, socket))
end

return common
