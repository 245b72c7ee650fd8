"""Tables and items through boto3 against a real strata-server with its own data directory."""

import signal

import pytest
from botocore.exceptions import ClientError

from conftest import Server, make_client, running_server


@pytest.fixture(scope="module")
def items_server(server_binary, tmp_path_factory):
    with running_server(server_binary, tmp_path_factory.mktemp("items")) as s:
        yield s


@pytest.fixture
def ddb(items_server):
    return make_client(items_server.endpoint)


def create_music(ddb, name="Music"):
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"},
                              {"AttributeName": "SongTitle", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"},
                   {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 20})


def error_of(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]


def test_table_lifecycle(ddb):
    create_music(ddb, "Lifecycle")
    d = ddb.describe_table(TableName="Lifecycle")["Table"]
    assert d["TableStatus"] == "ACTIVE"
    assert d["KeySchema"][0] == {"AttributeName": "Artist", "KeyType": "HASH"}
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["TableArn"].endswith(":table/Lifecycle")
    e = error_of(lambda: create_music(ddb, "Lifecycle"))
    assert e["Code"] == "ResourceInUseException"
    ddb.tag_resource(ResourceArn=d["TableArn"], Tags=[{"Key": "team", "Value": "storage"}])
    assert ddb.list_tags_of_resource(ResourceArn=d["TableArn"])["Tags"] == [{"Key": "team", "Value": "storage"}]
    ddb.delete_table(TableName="Lifecycle")
    ddb.get_waiter("table_not_exists").wait(TableName="Lifecycle", WaiterConfig={"Delay": 0.1, "MaxAttempts": 20})
    e = error_of(lambda: ddb.describe_table(TableName="Lifecycle"))
    assert e["Code"] == "ResourceNotFoundException"


def test_list_tables_paginates(ddb):
    for i in range(5):
        ddb.create_table(TableName=f"page-{i}", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    names = []
    for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
        assert len(page["TableNames"]) <= 2
        names += page["TableNames"]
    assert [n for n in names if n.startswith("page-")] == [f"page-{i}" for i in range(5)]
    assert names == sorted(names)


def test_put_get_update_delete(ddb):
    create_music(ddb)
    key = {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}
    ddb.put_item(TableName="Music", Item={**key, "AlbumTitle": {"S": "Somewhat Famous"}, "Year": {"N": "02015.50"},
                                          "Tags": {"SS": ["a", "b"]}, "Meta": {"M": {"plays": {"N": "1"}, "list": {"L": [{"BOOL": True}, {"NULL": True}]}}}})
    item = ddb.get_item(TableName="Music", Key=key, ConsistentRead=True)["Item"]
    assert item["Year"] == {"N": "2015.5"}
    assert sorted(item["Tags"]["SS"]) == ["a", "b"]
    assert item["Meta"]["M"]["list"]["L"] == [{"BOOL": True}, {"NULL": True}]
    out = ddb.update_item(TableName="Music", Key=key, UpdateExpression="SET AlbumTitle = :t ADD Meta.plays :one REMOVE #y",
                          ExpressionAttributeNames={"#y": "Year"},
                          ExpressionAttributeValues={":t": {"S": "Louder"}, ":one": {"N": "1"}}, ReturnValues="ALL_NEW")
    assert out["Attributes"]["AlbumTitle"] == {"S": "Louder"}
    assert out["Attributes"]["Meta"]["M"]["plays"] == {"N": "2"}
    assert "Year" not in out["Attributes"]
    projected = ddb.get_item(TableName="Music", Key=key, ProjectionExpression="Meta.plays, AlbumTitle")["Item"]
    assert projected == {"Meta": {"M": {"plays": {"N": "2"}}}, "AlbumTitle": {"S": "Louder"}}
    old = ddb.delete_item(TableName="Music", Key=key, ReturnValues="ALL_OLD")["Attributes"]
    assert old["AlbumTitle"] == {"S": "Louder"}
    assert "Item" not in ddb.get_item(TableName="Music", Key=key)


def test_conditional_check_failed_carries_the_item(ddb):
    create_music(ddb, "Cond")
    key = {"Artist": {"S": "A"}, "SongTitle": {"S": "B"}}
    ddb.put_item(TableName="Cond", Item={**key, "v": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as info:
        ddb.put_item(TableName="Cond", Item=key, ConditionExpression="attribute_not_exists(Artist)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert info.value.response["Error"]["Message"] == "The conditional request failed"
    assert info.value.response["Item"]["v"] == {"N": "1"}


def test_validation_errors_are_parsed_by_botocore(ddb):
    create_music(ddb, "Valid")
    e = error_of(lambda: ddb.put_item(TableName="Valid", Item={"Artist": {"S": "x"}}))
    assert e["Code"] == "ValidationException"
    assert e["Message"] == "One or more parameter values were invalid: Missing the key SongTitle in the item"
    e = error_of(lambda: ddb.update_item(TableName="Valid", Key={"Artist": {"S": "x"}, "SongTitle": {"S": "y"}},
                                         UpdateExpression="SET a = :v"))
    assert e["Code"] == "ValidationException"
    assert "ExpressionAttributeValues" in e["Message"] or ":v" in e["Message"]
    e = error_of(lambda: ddb.get_item(TableName="Missing", Key={"Artist": {"S": "x"}}))
    assert e["Code"] == "ResourceNotFoundException"
    e = error_of(lambda: ddb.put_item(TableName="Valid", Item={"Artist": {"S": "x"}, "SongTitle": {"S": "y"}, "n": {"N": "1e126"}}))
    assert e["Code"] == "ValidationException"
    assert "Number overflow" in e["Message"]


def test_data_survives_sigkill_and_restart(server_binary, tmp_path):
    server = Server(server_binary, tmp_path)
    server.wait_until_healthy()
    ddb = make_client(server.endpoint)
    create_music(ddb, "Durable")
    for i in range(200):
        ddb.put_item(TableName="Durable", Item={"Artist": {"S": f"a{i % 7}"}, "SongTitle": {"S": f"s{i}"}, "n": {"N": str(i)}})
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    with running_server(server_binary, tmp_path) as again:
        ddb = make_client(again.endpoint)
        assert ddb.describe_table(TableName="Durable")["Table"]["ItemCount"] == 200
        for i in range(200):
            item = ddb.get_item(TableName="Durable", Key={"Artist": {"S": f"a{i % 7}"}, "SongTitle": {"S": f"s{i}"}})["Item"]
            assert item["n"] == {"N": str(i)}


def test_batches(ddb):
    create_music(ddb, "Batch")
    puts = [{"PutRequest": {"Item": {"Artist": {"S": "b"}, "SongTitle": {"S": f"s{i:02}"}, "n": {"N": str(i)}}}}
            for i in range(25)]
    out = ddb.batch_write_item(RequestItems={"Batch": puts})
    assert out["UnprocessedItems"] == {}
    keys = [{"Artist": {"S": "b"}, "SongTitle": {"S": f"s{i:02}"}} for i in range(0, 25, 3)]
    got = ddb.batch_get_item(RequestItems={"Batch": {"Keys": keys, "ProjectionExpression": "n"}})
    assert sorted(int(i["n"]["N"]) for i in got["Responses"]["Batch"]) == list(range(0, 25, 3))
    assert got["UnprocessedKeys"] == {}
    e = error_of(lambda: ddb.batch_write_item(RequestItems={"Batch": puts + puts[:1]}))
    assert e["Code"] == "ValidationException"
    ddb.batch_write_item(RequestItems={"Batch": [{"DeleteRequest": {"Key": k}} for k in keys]})
    got = ddb.batch_get_item(RequestItems={"Batch": {"Keys": keys}})
    assert got["Responses"]["Batch"] == []


def test_transactions_and_cancellation_reasons(ddb):
    create_music(ddb, "Txn")
    a = {"Artist": {"S": "t"}, "SongTitle": {"S": "a"}}
    b = {"Artist": {"S": "t"}, "SongTitle": {"S": "b"}}
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Txn", "Item": {**a, "bal": {"N": "10"}}}},
        {"Put": {"TableName": "Txn", "Item": {**b, "bal": {"N": "0"}}}},
    ])
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "Txn", "Key": a, "UpdateExpression": "SET bal = bal - :x",
                    "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": {"N": "4"}}}},
        {"Update": {"TableName": "Txn", "Key": b, "UpdateExpression": "SET bal = bal + :x",
                    "ExpressionAttributeValues": {":x": {"N": "4"}}}},
    ], ClientRequestToken="transfer-1")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as info:
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": "Txn", "Key": b, "ConditionExpression": "bal > :big",
                                "ExpressionAttributeValues": {":big": {"N": "100"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": "Txn", "Key": a}},
        ])
    reasons = info.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None"]
    assert reasons[0]["Item"]["bal"] == {"N": "4"}
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "Txn", "Key": a}},
                                                {"Get": {"TableName": "Txn", "Key": b}}])
    assert [r["Item"]["bal"]["N"] for r in got["Responses"]] == ["6", "4"]


def test_query_and_scan_through_paginators(ddb):
    create_music(ddb, "Paged")
    with_items = []
    for artist in ("a", "b"):
        for i in range(57):
            item = {"Artist": {"S": artist}, "SongTitle": {"S": f"{i:03}"}, "n": {"N": str(i)}}
            with_items.append(item)
    for start in range(0, len(with_items), 25):
        ddb.batch_write_item(RequestItems={"Paged": [{"PutRequest": {"Item": it}} for it in with_items[start:start + 25]]})
    titles = []
    for page in ddb.get_paginator("query").paginate(
            TableName="Paged", KeyConditionExpression="Artist = :a AND SongTitle >= :s",
            ExpressionAttributeValues={":a": {"S": "a"}, ":s": {"S": "010"}}, PaginationConfig={"PageSize": 10}):
        assert page["ScannedCount"] <= 10
        titles += [i["SongTitle"]["S"] for i in page["Items"]]
    assert titles == [f"{i:03}" for i in range(10, 57)]
    back = ddb.query(TableName="Paged", KeyConditionExpression="Artist = :a", ScanIndexForward=False, Limit=3,
                     ExpressionAttributeValues={":a": {"S": "b"}})
    assert [i["SongTitle"]["S"] for i in back["Items"]] == ["056", "055", "054"]
    assert back["LastEvaluatedKey"] == {"Artist": {"S": "b"}, "SongTitle": {"S": "054"}}
    filtered = ddb.query(TableName="Paged", KeyConditionExpression="Artist = :a", FilterExpression="n < :x",
                         ExpressionAttributeValues={":a": {"S": "a"}, ":x": {"N": "5"}}, Select="COUNT")
    assert filtered["Count"] == 5 and filtered["ScannedCount"] == 57
    seen = set()
    for segment in range(3):
        for page in ddb.get_paginator("scan").paginate(TableName="Paged", Segment=segment, TotalSegments=3,
                                                      PaginationConfig={"PageSize": 20}):
            for i in page["Items"]:
                key = (i["Artist"]["S"], i["SongTitle"]["S"])
                assert key not in seen
                seen.add(key)
    assert len(seen) == 114
