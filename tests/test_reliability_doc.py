"""Every test that docs/reliability.md names as the proof of a promise
exists: the file, and the test function where one is named."""
import os.path as osp
import re

from .conftest import REPO_ROOT

DOC = osp.join(REPO_ROOT, 'docs', 'reliability.md')
REFERENCE = re.compile(r'`(tests/[\w/]+\.py)((?:::\w+)?)`|`::(\w+)`')


def references():
    """``(file, test name or None)`` in the order the page names them; a
    bare ``::name`` belongs to the file named before it."""
    with open(DOC) as f:
        text = f.read()
    found, last = [], None
    for match in REFERENCE.finditer(text):
        path, name, bare = match.groups()
        if path:
            last = path
            found.append((path, name[2:] or None))
        else:
            found.append((last, bare))
    return found


def test_every_named_test_exists():
    found = references()
    assert len(found) >= 20
    for path, name in found:
        assert path is not None, f'::{name} before any test file'
        full = osp.join(REPO_ROOT, path)
        assert osp.isfile(full), f'docs/reliability.md names {path}'
        if name:
            with open(full) as f:
                assert re.search(rf'^def {name}\(', f.read(), re.M), \
                    f'docs/reliability.md names {path}::{name}'
