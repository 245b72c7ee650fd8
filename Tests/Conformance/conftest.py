"""Black-box harness: builds strata-server, runs it on a free port with a temporary data
directory, and hands tests its endpoint URL.

    python3 -m pytest Tests/Conformance -q          # from the repository root

Environment:
    STRATA_SERVER         path to a strata-server binary to use as is (no build)
    STRATA_SCRATCH_PATH   passed to `swift build --scratch-path` when building
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0

ACCESS_KEY = "AKIDSTRATATEST"
SECRET = "strata-conformance-secret"


@pytest.fixture(scope="session")
def server_binary():
    """The strata-server executable, built with `swift build --product strata-server` unless
    STRATA_SERVER names one."""
    given = os.environ.get("STRATA_SERVER")
    if given:
        path = Path(given)
        assert path.is_file(), f"STRATA_SERVER={given} is not a file"
        return path
    command = ["swift", "build", "--product", "strata-server"]
    scratch = os.environ.get("STRATA_SCRATCH_PATH")
    if scratch:
        command += ["--scratch-path", scratch]
    subprocess.run(command, cwd=REPO, check=True)
    bin_dir = subprocess.run(
        command + ["--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = Path(bin_dir) / "strata-server"
    assert path.is_file(), f"no strata-server in {bin_dir}"
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running strata-server process."""

    def __init__(self, binary, workdir, args=()):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.data_dir = workdir / "data"
        self.stdout_path = workdir / "stdout.txt"
        self.stderr_path = workdir / "stderr.txt"
        command = [str(binary), "--host", "127.0.0.1", "--port", str(self.port),
                   "--data-dir", str(self.data_dir), *args]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, cwd=workdir)

    def output(self):
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def wait_until_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"strata-server exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"strata-server did not answer GET / within {START_TIMEOUT}s:\n{self.output()}")

    def stop(self):
        """SIGTERM, then SIGKILL if it has not exited after STOP_TIMEOUT; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def running_server(binary, workdir, args=()):
    server = Server(binary, workdir, args)
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server(server_binary, tmp_path_factory):
    """The default server: no credentials, a fresh data directory."""
    with running_server(server_binary, tmp_path_factory.mktemp("server")) as s:
        yield s


@pytest.fixture(scope="session")
def endpoint(server):
    return server.endpoint


def make_client(endpoint, access_key="fake", secret="fake", **config):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": 1}, **config),
    )


@pytest.fixture
def dynamodb(endpoint):
    return make_client(endpoint)


@pytest.fixture(scope="session")
def credentials_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("credentials") / "credentials"
    path.write_text(f"# access key id, secret\n{ACCESS_KEY} {SECRET}\nSECONDKEY second-secret\n")
    return path


@pytest.fixture(scope="session")
def verifying_server(server_binary, tmp_path_factory, credentials_file):
    """A server started with --credentials: every request must be signed by a listed key."""
    with running_server(server_binary, tmp_path_factory.mktemp("verifying"),
                        ["--credentials", str(credentials_file)]) as s:
        yield s
