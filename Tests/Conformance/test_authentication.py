"""A server started with --credentials verifies every request's SigV4 signature."""

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, SECRET, make_client


def error_code(call):
    with pytest.raises(ClientError) as raised:
        call()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return raised.value.response["Error"]


def test_right_secret_passes(verifying_server):
    client = make_client(verifying_server.endpoint, ACCESS_KEY, SECRET)
    assert client.list_tables()["TableNames"] == []


def test_second_key_passes(verifying_server):
    client = make_client(verifying_server.endpoint, "SECONDKEY", "second-secret")
    assert client.list_tables()["TableNames"] == []


def test_wrong_secret_is_invalid_signature(verifying_server):
    client = make_client(verifying_server.endpoint, ACCESS_KEY, "not-the-secret")
    error = error_code(client.list_tables)
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith("The request signature we calculated does not match")


def test_unknown_key_is_unrecognized_client(verifying_server):
    client = make_client(verifying_server.endpoint, "AKIDNOBODY", SECRET)
    error = error_code(client.list_tables)
    assert error["Code"] == "UnrecognizedClientException"
    assert error["Message"] == "The security token included in the request is invalid."


def test_unsigned_request_is_refused(verifying_server):
    client = make_client(verifying_server.endpoint, signature_version=UNSIGNED)
    error = error_code(client.list_tables)
    assert error["Code"] == "MissingAuthenticationTokenException"


def test_default_server_accepts_unsigned_requests(endpoint):
    client = make_client(endpoint, signature_version=UNSIGNED)
    assert isinstance(client.list_tables()["TableNames"], list)


def test_stale_date_is_signature_expired(verifying_server):
    """A request signed 20 minutes ago (the client's clock behind) is refused as DynamoDB does."""
    import datetime
    from unittest import mock

    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)

    class Clock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return past.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return past if tz else past.replace(tzinfo=None)

    client = make_client(verifying_server.endpoint, ACCESS_KEY, SECRET)
    with mock.patch("botocore.auth.datetime.datetime", Clock):
        error = error_code(client.list_tables)
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith("Signature expired: ")
    assert error["Message"].endswith(" - 15 min.)")
