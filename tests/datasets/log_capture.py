"""The mmengine log of a test in a file, also written by forked data-loader
workers (they inherit the current MMLogger and its file)."""
import uuid
from pathlib import Path

from mmengine.logging import MMLogger


def current_log_file(tmp_path: Path) -> Path:
    """Make a fresh MMLogger logging to ``tmp_path/test.log`` the current
    one (what ``print_log(logger='current')`` writes to) and return the
    file's path."""
    path = tmp_path / 'test.log'
    MMLogger.get_instance(f'test-{uuid.uuid4().hex}', log_file=str(path))
    return path


def warnings_of(path: Path, prefix: str) -> list:
    """The logged lines that contain ``prefix``."""
    return [line for line in path.read_text().splitlines() if prefix in line]
