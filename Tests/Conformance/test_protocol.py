"""The wire protocol against the running server: what any DynamoDB client relies on."""

import gzip
import json
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
import zlib

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, running_server


def post(endpoint, target, body=b"{}", headers=None):
    """A raw POST; returns (status, headers, body bytes as received)."""
    request = urllib.request.Request(endpoint + "/", data=body, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0",
        **({"X-Amz-Target": target} if target is not None else {}),
        **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_new_data_directory_has_no_tables(server_binary, tmp_path):
    with running_server(server_binary, tmp_path) as fresh:
        response = make_client(fresh.endpoint).list_tables()
        assert response["TableNames"] == []
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_botocore_crc32_check_passes(dynamodb):
    seen = {}

    def capture(response=None, **_):
        # Runs beside botocore's own checksum check, on the same (http_response, parsed) pair.
        if response is not None:
            http_response = response[0]
            seen["crc"] = http_response.headers.get("x-amz-crc32")
            seen["body"] = http_response.content

    dynamodb.meta.events.register("needs-retry.dynamodb.ListTables", capture)
    response = dynamodb.list_tables()
    # botocore recomputes the CRC-32 over these raw bytes and retries on a mismatch.
    assert seen["crc"] == str(zlib.crc32(seen["body"]))
    assert response["ResponseMetadata"]["RetryAttempts"] == 0


def test_every_response_has_a_request_id(dynamodb):
    first = dynamodb.list_tables()["ResponseMetadata"]["RequestId"]
    second = dynamodb.list_tables()["ResponseMetadata"]["RequestId"]
    assert first and second and first != second


def test_unknown_operation_raises_client_error(dynamodb):
    def retarget(request, **_):
        request.headers.replace_header("X-Amz-Target", "DynamoDB_20120810.NoSuchOperation")

    dynamodb.meta.events.register("before-sign.dynamodb.ListTables", retarget)
    with pytest.raises(ClientError) as raised:
        dynamodb.list_tables()
    assert raised.value.response["Error"]["Code"] == "UnknownOperationException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("target", [None, "ListTables", "DynamoDB_20111205.ListTables"])
def test_target_without_dynamodb_prefix_is_unknown_operation(endpoint, target):
    status, headers, body = post(endpoint, target)
    assert status == 400
    assert json.loads(body)["__type"].endswith("#UnknownOperationException")
    assert headers["x-amz-crc32"] == str(zlib.crc32(body))
    assert headers["x-amzn-RequestId"]


def test_raw_response_headers(endpoint):
    status, headers, body = post(endpoint, "DynamoDB_20120810.ListTables")
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert headers["x-amz-crc32"] == str(zlib.crc32(body))
    assert isinstance(json.loads(body)["TableNames"], list)


def test_gzip_request_body_is_accepted(endpoint):
    status, headers, body = post(endpoint, "DynamoDB_20120810.ListTables",
                                 gzip.compress(b'{"Limit": 5}'), {"Content-Encoding": "gzip"})
    assert status == 200
    assert isinstance(json.loads(body)["TableNames"], list)


def test_health_check(endpoint):
    with urllib.request.urlopen(endpoint + "/", timeout=5) as response:
        assert response.status == 200


def test_data_directory_is_created(server):
    assert server.data_dir.is_dir()


def test_oversize_body_gets_413(server_binary, tmp_path):
    with running_server(server_binary, tmp_path, ["--max-body-bytes", "1000"]) as small:
        status, _, body = post(small.endpoint, "DynamoDB_20120810.PutItem", b" " * 2000 + b"{}")
        assert status == 413
        assert "1000 bytes" in json.loads(body)["message"]
        assert post(small.endpoint, "DynamoDB_20120810.ListTables")[0] == 200


def test_sigterm_stops_gracefully(server_binary, tmp_path):
    with running_server(server_binary, tmp_path) as s:
        assert make_client(s.endpoint).list_tables()["ResponseMetadata"]["HTTPStatusCode"] == 200
        s.process.send_signal(signal.SIGTERM)
        assert s.process.wait(timeout=15) == 0
        assert "strata-server: stopped" in s.output()


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_lists_tables(endpoint, tmp_path):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "fake", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    result = subprocess.run(
        ["aws", "dynamodb", "list-tables", "--endpoint-url", endpoint, "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout)["TableNames"], list)


def test_gzip_response_checksum_covers_the_compressed_bytes(dynamodb, endpoint):
    """DynamoDB's rule, which botocore follows: x-amz-crc32 is over the body as sent (compressed)."""
    dynamodb.create_table(
        TableName="GzipResponses",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(TableName="GzipResponses", WaiterConfig={"Delay": 0.1, "MaxAttempts": 20})
    text = "strata " * 1000
    dynamodb.put_item(TableName="GzipResponses", Item={"pk": {"S": "big"}, "text": {"S": text}})
    request = b'{"TableName":"GzipResponses","Key":{"pk":{"S":"big"}}}'
    status, headers, body = post(endpoint, "DynamoDB_20120810.GetItem", request, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(body) < len(text)
    assert headers["x-amz-crc32"] == str(zlib.crc32(body))
    assert json.loads(gzip.decompress(body))["Item"]["text"] == {"S": text}


def test_every_attribute_type_round_trips_through_put_and_get(dynamodb):
    dynamodb.create_table(
        TableName="RoundTrip",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    text = 'quote " backslash \\ slash / tab \t newline \n control \x01 é 😀 \u2028'
    item = {
        "pk": {"S": text},
        "n": {"N": "-12.50"},
        "b": {"B": bytes(range(256))},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "z": {"NULL": True},
        "m": {"M": {"nested/key": {"L": [{"S": ""}, {"N": "0"}, {"M": {}}, {"L": []}]}}},
        "ss": {"SS": ["a", "b/c", text]},
        "ns": {"NS": ["1", "2.5", "-3"]},
        "bs": {"BS": [b"\x00", b"\xff\xfe"]},
    }
    dynamodb.put_item(TableName="RoundTrip", Item=item)
    got = dynamodb.get_item(TableName="RoundTrip", Key={"pk": {"S": text}})["Item"]
    expected = dict(item, n={"N": "-12.5"})
    assert {k: (sorted(v[next(iter(v))]) if next(iter(v)) in ("SS", "NS", "BS") else v) for k, v in got.items()} == \
        {k: (sorted(v[next(iter(v))]) if next(iter(v)) in ("SS", "NS", "BS") else v) for k, v in expected.items()}
    old = dynamodb.put_item(TableName="RoundTrip", Item={"pk": {"S": text}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["m"] == item["m"] and old["b"] == item["b"]
    assert "Item" not in dynamodb.get_item(TableName="RoundTrip", Key={"pk": {"S": "absent"}})


@pytest.mark.parametrize("body, code, message", [
    (b'{"TableName":"RoundTrip","Key":{"pk":{"S":"a"}', "SerializationException", None),
    (b'{"TableName":null,"Key":{"pk":{"S":"a"}}}', "ValidationException",
     "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
    (b'{"TableName":"RoundTrip","Key":{"pk":{"S":"a","N":"1"}}}', "ValidationException",
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    (b'{"TableName":"RoundTrip","Key":{"pk":{}}}', "ValidationException",
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    (b'{"TableName":"RoundTrip","Key":{"pk":{"S":1}}}', "SerializationException", "NUMBER_VALUE cannot be converted to String"),
    (b'{"TableName":"RoundTrip","Key":{"pk":{"S":"a"}},"ConsistentRead":"yes"}', "SerializationException", None),
])
def test_malformed_get_item_gets_dynamodbs_error(dynamodb, endpoint, body, code, message):
    status, _, answer = post(endpoint, "DynamoDB_20120810.GetItem", body)
    error = json.loads(answer)
    assert status == 400
    assert error["__type"].endswith("#" + code)
    if message is not None:
        assert error.get("message", error.get("Message")) == message
