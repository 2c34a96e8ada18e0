"""Run the project's command-line tools in subprocesses, or import them."""
import importlib.util
import json
import os
import os.path as osp
import socket
import subprocess
import sys
from types import ModuleType
from typing import List

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BIN = osp.dirname(sys.executable)


def load_tool(name: str, folder: str = '') -> ModuleType:
    """Import ``tools/[folder/]name.py`` as a module (tools are scripts)."""
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO_ROOT, 'tools', folder, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tool_env() -> dict:
    """Environment of tool subprocesses: the test interpreter's bin dir
    first on PATH, and this checkout's package rather than the installed
    copy (which may predate the working tree)."""
    path = os.environ.get('PYTHONPATH')
    return dict(os.environ, PATH=BIN + os.pathsep + os.environ['PATH'],
                PYTHONUNBUFFERED='1',
                PYTHONPATH=REPO_ROOT + (os.pathsep + path if path else ''))


def run(cmd: List[str], cwd: str, timeout: int) -> subprocess.CompletedProcess:
    """Run ``cmd`` in :func:`tool_env`."""
    env = tool_env()
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
