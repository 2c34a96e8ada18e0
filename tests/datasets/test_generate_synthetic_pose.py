"""The synthetic-split generator's command line: ``python -m`` from the
repository root without the package installed, the console script, and the
tools/ wrapper's message when the package cannot be imported.

"Not installed" is an interpreter without its site-packages (``-S``) whose
PYTHONPATH holds every installed distribution except vitpose_plugin."""
import configparser
import importlib
import os
import os.path as osp
import subprocess
import sys
import sysconfig
from typing import List

import pytest

from ..tools.helpers import REPO_ROOT, load_tool, tool_env

MODULE = 'vitpose_plugin.datasets.generate_synthetic_pose'
WRAPPER = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                   'generate_synthetic_pose.py')
SPLIT_ARGS = ['--seed', '0', '--num-instances', '2', '--name', 'tiny']


@pytest.fixture(scope='module')
def env_without_plugin(tmp_path_factory) -> dict:
    """Environment whose ``python -S`` sees the installed distributions but
    not vitpose_plugin (links to the site-packages entries, less it)."""
    site = sysconfig.get_paths()['purelib']
    farm = tmp_path_factory.mktemp('site_without_plugin')
    for name in os.listdir(site):
        if not name.startswith('vitpose_plugin'):
            os.symlink(osp.join(site, name), farm / name)
    env = {k: v for k, v in tool_env().items() if k != 'PYTHONPATH'}
    return dict(env, PYTHONPATH=str(farm))


def python_s(args: List[str], cwd: str, env: dict,
             timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-S', *args], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def test_module_runs_from_the_repository_root_uninstalled(
        env_without_plugin, tmp_path):
    cache_root = str(tmp_path / 'cache')
    proc = python_s(['-m', MODULE, *SPLIT_ARGS, '--cache-root', cache_root],
                    REPO_ROOT, env_without_plugin)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f'tiny: {cache_root}{os.sep}')
    assert '(seed 0, 2 instances' in proc.stdout
    split_dir = proc.stdout.split()[1]
    assert os.listdir(osp.join(split_dir, 'images'))
    # Control: elsewhere the same interpreter cannot import the package,
    # so the run above used the checkout (the current directory).
    proc = python_s(['-m', MODULE, '--help'], str(tmp_path),
                    env_without_plugin)
    assert proc.returncode == 1
    assert "No module named 'vitpose_plugin'" in proc.stderr


def test_wrapper_says_how_to_run_without_the_package(env_without_plugin,
                                                     tmp_path):
    proc = python_s([WRAPPER, '--config', 'CONFIG.py'], str(tmp_path),
                    env_without_plugin)
    assert proc.returncode == 1
    assert proc.stdout == ''
    assert proc.stderr == (
        f'{WRAPPER}: the vitpose_plugin package is not importable. Install '
        f'the checkout (pip install -e . in the repository root), or run '
        f'from the repository root without installing: python -m {MODULE} '
        f'--config CONFIG.py\n')


def test_wrapper_runs_the_module(tmp_path, capsys):
    cache_root = str(tmp_path / 'cache')
    wrapper = load_tool('generate_synthetic_pose', 'dataset_converters')
    assert wrapper.main([*SPLIT_ARGS, '--cache-root', cache_root]) == 0
    assert capsys.readouterr().out.startswith(f'tiny: {cache_root}{os.sep}')


def test_console_script_names_the_module_main():
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(REPO_ROOT, 'setup.cfg'))
    scripts = dict(
        line.split(' = ') for line in
        cfg['options.entry_points']['console_scripts'].strip().splitlines())
    module, attr = scripts['vitpose-generate-synthetic'].split(':')
    assert module == MODULE
    assert callable(getattr(importlib.import_module(module), attr))
