"""Test-only hook that SIGKILLs the training process at an iteration.

Imported by the training subprocesses of test_resume_after_kill.py through
the config's ``custom_imports``; not imported by the test process.
"""
import json
import os
import signal

from mmengine.hooks import Hook
from mmpose.registry import HOOKS


def child_pids(pid: int) -> list:
    """The ids of the live processes whose parent is ``pid`` (Linux)."""
    children = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                # the command name (2nd field) may contain spaces
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


@HOOKS.register_module()
class ViTPoseTestSigkillHook(Hook):
    """Before iteration ``iteration`` (0-based global), write the process id
    and its children's (loader workers) to ``pid_file`` as JSON, then send
    SIGKILL to the own process: no handler, no clean-up, like an OOM kill.

    Args:
        iteration (int): The iteration that does not run.
        pid_file (str): Where to write ``{"pid": ..., "children": [...]}``.
    """

    priority = 'LOWEST'

    def __init__(self, iteration: int, pid_file: str) -> None:
        self.iteration = iteration
        self.pid_file = pid_file

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if runner.iter != self.iteration:
            return
        pid = os.getpid()
        with open(self.pid_file, 'w') as f:
            json.dump(dict(pid=pid, children=child_pids(pid)), f)
        os.kill(pid, signal.SIGKILL)
