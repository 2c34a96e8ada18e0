"""A checkout's tool stops when it imported another copy of the plugin
whose code differs from the checkout's (vitpose_plugin/source_checkout.py)."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from vitpose_plugin.source_checkout import (PACKAGE_DIR, CheckoutMismatchError,
                                            check_script_package,
                                            differing_files, script_checkout)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _copy_package(destination: str) -> str:
    """A copy of the package at ``destination/vitpose_plugin``."""
    target = osp.join(destination, 'vitpose_plugin')
    shutil.copytree(PACKAGE_DIR, target,
                    ignore=shutil.ignore_patterns('__pycache__', '.mim'))
    return target


@pytest.fixture
def checkout_and_installed(tmp_path):
    """A checkout (setup.cfg, the package, tools/train.py) and an
    installed copy of the same package."""
    checkout = tmp_path / 'checkout'
    _copy_package(str(checkout))
    shutil.copy(osp.join(REPO_ROOT, 'setup.cfg'), checkout)
    (checkout / 'tools').mkdir()
    for name in ('train.py', 'config_options.py'):
        shutil.copy(osp.join(REPO_ROOT, 'tools', name), checkout / 'tools')
    installed = _copy_package(str(tmp_path / 'site-packages'))
    return checkout, installed


def test_a_checkout_tool_stops_on_an_installed_copy_without_its_edit(
        checkout_and_installed):
    """``python tools/train.py`` in a checkout whose vitpose_plugin was
    edited, the unedited copy first on the path (as site-packages is):
    the tool stops before parsing its arguments, naming both copies, the
    edited file and the fixes."""
    checkout, installed = checkout_and_installed
    with open(checkout / 'vitpose_plugin' / 'version.py', 'a') as f:
        f.write('# edited\n')
    proc = subprocess.run(
        [sys.executable,
         str(checkout / 'tools' / 'train.py'), '--help'],
        cwd=str(checkout.parent),
        env=dict(os.environ, PYTHONPATH=osp.dirname(installed)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=120)
    assert proc.returncode != 0, proc.stdout
    message = proc.stdout.strip().splitlines()[-1]
    assert message.startswith('vitpose_plugin.source_checkout.'
                              'CheckoutMismatchError:')
    for part in (f'the checkout {checkout},',
                 f'imported vitpose_plugin from {installed},',
                 f'differs from {checkout / "vitpose_plugin"} (version.py)',
                 'setup_env.sh',
                 f'PYTHONPATH={checkout} python'):
        assert part in message, message


def test_an_identical_or_own_copy_passes(checkout_and_installed):
    checkout, installed = checkout_and_installed
    script = str(checkout / 'tools' / 'train.py')
    assert script_checkout(script) == str(checkout)
    check_script_package(script, installed)  # identical code
    check_script_package(script, str(checkout / 'vitpose_plugin'))
    check_script_package(None, installed)


def test_differences_are_named_and_installed_tools_are_not_checked(
        checkout_and_installed):
    checkout, installed = checkout_and_installed
    package = checkout / 'vitpose_plugin'
    (package / 'new_module.py').write_text('')
    (package / 'models' / '__pycache__').mkdir(exist_ok=True)
    (package / 'models' / '__pycache__' / 'stale.py').write_text('')
    assert differing_files(str(package), installed) == ['new_module.py']
    with pytest.raises(CheckoutMismatchError, match=r'\(new_module.py\)'):
        check_script_package(str(checkout / 'tools' / 'train.py'), installed)
    # mim runs the installed package's own tools (no setup.cfg beside it).
    mim_tool = osp.join(installed, '.mim', 'tools', 'train.py')
    assert script_checkout(mim_tool) is None
    check_script_package(mim_tool, str(package))
    # Nor the environment's own scripts (console scripts), wherever it lies.
    console_script = str(checkout / '.venv' / 'bin' / 'vitpose-checkpoints')
    assert script_checkout(console_script) == str(checkout)
    assert script_checkout(console_script, str(checkout / '.venv')) is None
