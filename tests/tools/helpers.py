"""Run the project's command-line tools in subprocesses, or import them."""
import importlib.util
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import time
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


class BackgroundRun:
    """A tool run in a subprocess (in :func:`tool_env`) that the test
    session goes on beside, its output in a log file.

    Args:
        cmd (list[str]): The command.
        cwd (str): Its working directory.
        log_path (str): Where its stdout and stderr go.
    """

    def __init__(self, cmd: List[str], cwd: str, log_path: str) -> None:
        self.cmd = cmd
        self.log_path = log_path
        self.started = time.monotonic()
        with open(log_path, 'w') as log:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=tool_env(),
                                         stdout=log,
                                         stderr=subprocess.STDOUT, text=True)

    def wait(self, timeout: float) -> float:
        """Wait for the run to end (a hang guard of ``timeout`` seconds from
        its start) and return its wall time in seconds; an AssertionError
        with the end of its log if it failed."""
        remaining = max(1.0, timeout - (time.monotonic() - self.started))
        try:
            returncode = self.proc.wait(remaining)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f'{" ".join(self.cmd)} ran over {timeout} s:'
                                 f'\n{self.log_tail()}')
        if returncode != 0:
            raise AssertionError(f'{" ".join(self.cmd)} exited {returncode}:'
                                 f'\n{self.log_tail()}')
        return time.monotonic() - self.started

    def stop(self) -> None:
        """End the run if it is still going."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, chars: int = 6000) -> str:
        with open(self.log_path) as f:
            return f.read()[-chars:]
