"""Whether a script of a source checkout runs that checkout's package.

``tools/setup_env.sh`` installs the plugin as a regular copy: ``mim``
(0.3.9) looks for ``.mim/`` in ``<folder of the dist-info>/vitpose_plugin``,
which an editable install leaves empty (the code stays in the checkout).
``python tools/train.py`` puts ``tools/``, not the checkout, first on the
path, so it imports the installed copy: edits to the checkout would be
silently ignored. Importing the package checks that the running script's
checkout, if any, holds the same code, and stops with both paths and the fix
otherwise. This module imports nothing of the package.
"""
import filecmp
import os
import os.path as osp
import sys
from typing import List, Optional, Set

PACKAGE_NAME = 'vitpose_plugin'
#: The imported package's folder.
PACKAGE_DIR = osp.dirname(osp.abspath(__file__))


class CheckoutMismatchError(RuntimeError):
    """A script of a source checkout imported another copy of the package
    whose code differs from the checkout's."""


def script_checkout(script: str,
                    environment: str = sys.prefix) -> Optional[str]:
    """The source checkout ``script`` lives in: the nearest folder above it
    that holds a ``vitpose_plugin`` package, if that folder also holds
    ``setup.cfg``; None otherwise and for the Python environment's own
    scripts (its console scripts, the tools ``mim`` runs from
    ``site-packages/vitpose_plugin/.mim``), which belong to its installed
    copy wherever the environment lies.

    Args:
        script (str): Path of the running script.
        environment (str): The Python environment's folder. Defaults to
            ``sys.prefix``.
    """
    if osp.realpath(script).startswith(
            osp.join(osp.realpath(environment), '')):
        return None
    folder = osp.dirname(osp.abspath(script))
    while True:
        if osp.isfile(osp.join(folder, PACKAGE_NAME, '__init__.py')):
            return folder if osp.isfile(osp.join(folder,
                                                 'setup.cfg')) else None
        parent = osp.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _python_files(package_dir: str) -> Set[str]:
    """Paths of the ``.py`` files under ``package_dir``, relative to it
    (``__pycache__`` and hidden folders such as ``.mim`` left out)."""
    found = set()
    for folder, subfolders, names in os.walk(package_dir):
        subfolders[:] = [
            name for name in subfolders
            if name != '__pycache__' and not name.startswith('.')
        ]
        found.update(
            osp.relpath(osp.join(folder, name), package_dir)
            for name in names if name.endswith('.py'))
    return found


def differing_files(package_a: str, package_b: str) -> List[str]:
    """The ``.py`` files, relative and sorted, whose contents differ between
    two package folders or that only one of them has.

    Args:
        package_a (str): A package folder.
        package_b (str): Another package folder.
    """
    files_a, files_b = _python_files(package_a), _python_files(package_b)
    return sorted((files_a ^ files_b) | {
        name
        for name in files_a & files_b
        if not filecmp.cmp(osp.join(package_a, name),
                           osp.join(package_b, name), shallow=False)
    })


def check_script_package(script: Optional[str],
                         package_dir: str = PACKAGE_DIR) -> None:
    """Raise :class:`CheckoutMismatchError` when ``script`` lives in a source
    checkout whose ``vitpose_plugin`` is not ``package_dir`` and differs
    from it.

    Args:
        script (str, optional): Path of the running script; None (no
            script: ``python -c``, an interactive session) checks nothing.
        package_dir (str): The imported package's folder. Defaults to
            :data:`PACKAGE_DIR`.
    """
    checkout = script_checkout(script) if script else None
    if checkout is None:
        return
    checkout_package = osp.join(checkout, PACKAGE_NAME)
    if osp.realpath(checkout_package) == osp.realpath(package_dir):
        return
    differing = differing_files(checkout_package, package_dir)
    if not differing:
        return
    shown = ', '.join(differing[:3]) + (', ...' if len(differing) > 3 else '')
    raise CheckoutMismatchError(
        f'{script} lives in the checkout {checkout}, but Python imported '
        f'{PACKAGE_NAME} from {package_dir}, a copy that differs from '
        f'{checkout_package} ({shown}): the checkout\'s code would not run. '
        f'Reinstall the checkout into this environment (bash '
        f'{osp.join(checkout, "tools", "setup_env.sh")}, or pip install '
        f'--no-deps --no-build-isolation {checkout}), or put it first on '
        f'the path for this run: PYTHONPATH={checkout} python {script} ...')


def check_main_script() -> None:
    """:func:`check_script_package` for the running program's script
    (``__main__.__file__``; nothing for ``python -c`` or a session)."""
    main = sys.modules.get('__main__')
    check_script_package(getattr(main, '__file__', None))
