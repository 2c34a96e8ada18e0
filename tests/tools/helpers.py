"""Run the project's command-line tools in subprocesses."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys
from typing import List

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BIN = osp.dirname(sys.executable)


def run(cmd: List[str], cwd: str, timeout: int) -> subprocess.CompletedProcess:
    """Run ``cmd`` with the test interpreter's bin dir first on PATH."""
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ['PATH'],
               PYTHONUNBUFFERED='1')
    proc = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        raise AssertionError(f'{" ".join(cmd)} exited {proc.returncode}:\n'
                             f'{proc.stdout[-6000:]}')
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def read_metrics(path: str) -> dict:
    with open(path) as f:
        return json.load(f)
