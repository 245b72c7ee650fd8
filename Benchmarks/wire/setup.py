"""Creates the benchmark table on a DynamoDB endpoint and preloads it, for the wrk scripts here.

    python3 Benchmarks/wire/setup.py http://127.0.0.1:PORT

Table WIRE_TABLE (default "wire"): partition key pk (S), sort key sk (S), on-demand. Items
(pk = p0000.., sk = s0000..) for WIRE_PARTITIONS x WIRE_ITEMS (default 100 x 100), each about
100 bytes, the same shape putitem.lua writes. BatchWriteItem when the endpoint has it, PutItem
otherwise. Ends by reading one item back (and querying one partition, when Query is there).
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

TABLE = os.environ.get("WIRE_TABLE", "wire")
PARTITIONS = int(os.environ.get("WIRE_PARTITIONS", "100"))
ITEMS = int(os.environ.get("WIRE_ITEMS", "100"))
PAYLOAD = "abcdefghij" * 6  # as common.lua


def client(endpoint):
    # Region and key as in common.lua's Authorization header (moto_server keys its data by region).
    return boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIDWIREBENCH", aws_secret_access_key="wire-bench-secret",
        config=Config(retries={"max_attempts": 2}),
    )


def item(p, s):
    return {"pk": {"S": f"p{p:04d}"}, "sk": {"S": f"s{s:04d}"}, "n": {"N": str(p * ITEMS + s)},
            "data": {"S": PAYLOAD}}


def load_partition(endpoint, p, batch):
    ddb = client(endpoint)
    items = [item(p, s) for s in range(ITEMS)]
    if not batch:
        for it in items:
            ddb.put_item(TableName=TABLE, Item=it)
        return
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": it}} for it in items[start:start + 25]]
        while requests:
            out = ddb.batch_write_item(RequestItems={TABLE: requests})
            requests = out.get("UnprocessedItems", {}).get(TABLE, [])


def main():
    endpoint = sys.argv[1]
    ddb = client(endpoint)
    ddb.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

    batch = True
    try:
        load_partition(endpoint, 0, batch=True)
    except ClientError as e:
        if e.response["Error"]["Code"] != "UnknownOperationException":
            raise
        batch = False
        load_partition(endpoint, 0, batch=False)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda p: load_partition(endpoint, p, batch), range(1, PARTITIONS)))

    got = ddb.get_item(TableName=TABLE, Key={"pk": {"S": f"p{PARTITIONS - 1:04d}"},
                                             "sk": {"S": f"s{ITEMS - 1:04d}"}})
    assert got.get("Item") == item(PARTITIONS - 1, ITEMS - 1), got
    query = "no Query"
    try:
        out = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p0000"}}, Select="COUNT")
        assert out["Count"] == ITEMS, out
        query = f"Query p0000: {out['Count']} items"
    except ClientError as e:
        if e.response["Error"]["Code"] != "UnknownOperationException":
            raise
        query = "Query: UnknownOperationException"
    print(f"preloaded {PARTITIONS * ITEMS} items into {TABLE} "
          f"({'BatchWriteItem' if batch else 'PutItem'}; GetItem checked; {query})")


if __name__ == "__main__":
    main()
