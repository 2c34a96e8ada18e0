"""Run the project's command-line tools in subprocesses, or import them."""
import importlib.util
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import threading
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
    session goes on beside, its output in a log file. When the run ends, its
    exit code and wall seconds are written to ``returncode_path``, so that
    another process (a pytest-xdist worker) can wait for it with
    :func:`wait_for_background_run`.

    Args:
        cmd (list[str]): The command.
        cwd (str): Its working directory.
        log_path (str): Where its stdout and stderr go.
        returncode_path (str): Where ``"<exit code> <seconds>"`` goes when
            the run ends.
    """

    def __init__(self, cmd: List[str], cwd: str, log_path: str,
                 returncode_path: str) -> None:
        self.cmd = cmd
        self.log_path = log_path
        self.started = time.monotonic()
        with open(log_path, 'w') as log:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=tool_env(),
                                         stdout=log,
                                         stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._report, args=(returncode_path, ),
                         daemon=True).start()

    def _report(self, returncode_path: str) -> None:
        returncode = self.proc.wait()
        seconds = time.monotonic() - self.started
        partial = returncode_path + '.partial'
        with open(partial, 'w') as f:
            f.write(f'{returncode} {seconds:.1f}')
        os.replace(partial, returncode_path)

    def stop(self) -> None:
        """End the run if it is still going."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for_background_run(returncode_path: str, log_path: str,
                            timeout: float) -> float:
    """Wait until a :class:`BackgroundRun` (in this or another process) has
    written ``returncode_path``, at most ``timeout`` seconds (a hang guard),
    and return the run's wall time in seconds; an AssertionError with the end
    of its log if it failed or ran over."""
    deadline = time.monotonic() + timeout
    while not osp.exists(returncode_path):
        if time.monotonic() > deadline:
            raise AssertionError(f'the run logging to {log_path} went on '
                                 f'for over {timeout} s:\n'
                                 f'{_log_tail(log_path)}')
        time.sleep(2)
    with open(returncode_path) as f:
        returncode, seconds = f.read().split()
    if int(returncode) != 0:
        raise AssertionError(f'the run logging to {log_path} exited '
                             f'{returncode}:\n{_log_tail(log_path)}')
    return float(seconds)


def _log_tail(log_path: str, chars: int = 6000) -> str:
    with open(log_path) as f:
        return f.read()[-chars:]
