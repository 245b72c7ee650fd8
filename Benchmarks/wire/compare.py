"""Compares two strata-server binaries answer for answer: the same requests (item operations with
every attribute type, escapes, invalid values, malformed JSON, unknown members) to both, and the
status, x-amz-crc32 and body bytes of each answer must be equal. Both run with
SWIFT_DETERMINISTIC_HASHING=1 so that dictionaries (items) are walked in the same order.

    python3 Benchmarks/wire/compare.py OLD/strata-server NEW/strata-server

Prints each difference and a count; exits 1 when any answer differs.
"""

import json, os, subprocess, sys, time, urllib.request, urllib.error, socket, tempfile, itertools

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def start(binary):
    port = free_port(); d = tempfile.mkdtemp()
    env = dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1")
    p = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--data-dir", d + "/data"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1); break
        except Exception: time.sleep(0.1)
    return p, f"http://127.0.0.1:{port}"

def post(ep, op, body):
    req = urllib.request.Request(ep + "/", data=body, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op})
    try:
        with urllib.request.urlopen(req, timeout=10) as r: return r.status, r.headers.get("x-amz-crc32"), r.read()
    except urllib.error.HTTPError as e: return e.code, e.headers.get("x-amz-crc32"), e.read()

A, ea = start(sys.argv[1]); B, eb = start(sys.argv[2])
ct = json.dumps({"TableName": "T", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "BillingMode": "PAY_PER_REQUEST"}).encode()
bodies = [("CreateTable", ct)]
vals = ['{"S":"x"}', '{"S":"a/b \\" \\\\ \\u0001 \\t é 😀"}', '{"N":"01.50"}', '{"N":"x"}', '{"B":"AAEC/w=="}', '{"B":"AB=="}', '{"BOOL":true}',
        '{"NULL":true}', '{"NULL":false}', '{"M":{"a":{"S":"1"},"b":{"N":"2"},"c":{"L":[{"S":"x"},{"BOOL":false}]}}}', '{"L":[]}',
        '{"SS":["a","b","c/d"]}', '{"SS":["a","a"]}', '{"SS":[]}', '{"NS":["1","2","3.5"]}', '{"NS":["1","1.0"]}', '{"BS":["AA==","AQ=="]}',
        '{"S":"a","N":"1"}', '{}', '{"S":null}', '{"S":1}', '{"X":"1"}', '{"S":"x","N":null}', '{"L":{}}', '{"M":[]}', '{"S":"\\ud83d"}']
for i, v in enumerate(vals):
    item = '{"pk":{"S":"p%d"},"sk":{"N":"%d"},"v":%s,"w":{"S":"w"},"x":{"N":"7"},"y":%s}' % (i, i, v, v)
    bodies.append(("PutItem", ('{"TableName":"T","Item":%s}' % item).encode()))
    bodies.append(("PutItem", ('{"TableName":"T","Item":%s,"ReturnValues":"ALL_OLD"}' % item).encode()))
    bodies.append(("GetItem", ('{"TableName":"T","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}}}' % (i, i)).encode()))
    bodies.append(("GetItem", ('{"TableName":"T","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}},"ReturnConsumedCapacity":"TOTAL","ConsistentRead":true}' % (i, i)).encode()))
    bodies.append(("GetItem", ('{"TableName":"T","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}},"ProjectionExpression":"#v, y","ExpressionAttributeNames":{"#v":"v"}}' % (i, i)).encode()))
    bodies.append(("UpdateItem", ('{"TableName":"T","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}},"UpdateExpression":"SET z = :z","ExpressionAttributeValues":{":z":%s},"ReturnValues":"ALL_NEW"}' % (i, i, v)).encode()))
    bodies.append(("DeleteItem", ('{"TableName":"T","Key":{"pk":{"S":"p%d"},"sk":{"N":"%d"}},"ConditionExpression":"attribute_exists(pk)","ReturnValues":"ALL_OLD"}' % (i, i)).encode()))
    bodies.append(("GetItem", ('{"TableName":"T","Key":{"pk":%s,"sk":{"N":"1"}}}' % v).encode()))
misc = [b'', b'{', b'[]', b'null', b'{"TableName":"T"}', b'{"TableName":"T","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},}', b'{"TableName":"T","TableName":"U","Key":{}}',
        b'{"TableName":"T","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConsistentRead":null}', b'{"TableName":"T","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnConsumedCapacity":"X"}',
        b'{"TableName":"T","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"Extra":1}', b'{"TableName":"Nope","Key":{"pk":{"S":"a"}}}', b' {"TableName" : "T" , "Key":{"pk":{"S":"a"},"sk":{"N":"1"}}} ',
        b'{"TableName":"T","Key":{"pk":{"S":"a\xff"},"sk":{"N":"1"}}}', b'{"TableName":"T","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"Expected":{"pk":{"Exists":false}}}']
for op in ("GetItem", "PutItem", "DeleteItem", "UpdateItem"):
    for m in misc: bodies.append((op, m))
same = diff = 0
for op, body in bodies:
    ra, rb = post(ea, op, body), post(eb, op, body)
    if ra == rb: same += 1
    else:
        diff += 1
        print("DIFF", op, body[:120], "\n  A:", ra[0], ra[2][:300], "\n  B:", rb[0], rb[2][:300])
print("same", same, "different", diff)
A.terminate(); B.terminate()
sys.exit(1 if diff else 0)
