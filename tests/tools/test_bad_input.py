"""The tools fail with errors that name the problem."""
import shutil
import subprocess
import sys

import pytest

from .helpers import REPO_ROOT, tool_env


def run_tool(*args):
    proc = subprocess.run([sys.executable, *args], cwd=REPO_ROOT,
                          env=tool_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode != 0, proc.stdout[-3000:]
    return proc.stdout


def test_missing_config(tmp_path):
    out = run_tool('tools/train.py', str(tmp_path / 'nope.py'))
    assert f'config file not found: {tmp_path / "nope.py"}' in out


def test_missing_checkpoint(sample_config, tmp_path):
    out = run_tool('tools/test.py', sample_config, str(tmp_path / 'x.pth'))
    assert f'checkpoint not found: {tmp_path / "x.pth"}' in out


def test_missing_resume_checkpoint(sample_config, tmp_path):
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path), '--resume', str(tmp_path / 'gone.pth'))
    assert 'no checkpoint at' in out and 'gone.pth' in out


def test_unknown_model_key(sample_config, tmp_path):
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path), '--cfg-options', 'model.backbone.archh=s')
    assert 'ViTPoseBackbone' in out and 'archh' in out


def test_data_root_without_data(sample_config, tmp_path):
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path / 'w'), '--cfg-options',
                   f'data_root={tmp_path}/empty/')
    assert f'{tmp_path}/empty/test_coco.json' in out


def test_corrupt_image_is_named(sample_config, tmp_path):
    data = tmp_path / 'data'
    shutil.copytree(f'{REPO_ROOT}/data/sample_coco', data)
    broken = data / '000000040083.jpg'
    broken.write_bytes(broken.read_bytes()[:1000])
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path / 'w'), '--cfg-options', f'data_root={data}/',
                   'train_cfg.max_epochs=1')
    assert f'ViTPoseLoadImage: cannot decode {broken}' in out
    assert 'annotation id' in out


@pytest.mark.parametrize('key', ['decay_multi', 'layer_decay'])
def test_unknown_constructor_key(sample_config, tmp_path, key):
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path), '--cfg-options',
                   f'optim_wrapper.paramwise_cfg.{key}=0.5')
    assert f"unknown paramwise_cfg key(s) ['{key}']" in out


def test_misspelt_hook_key_fails_before_training(sample_config, tmp_path):
    out = run_tool('tools/train.py', sample_config, '--work-dir',
                   str(tmp_path / 'w'), '--cfg-options',
                   'default_hooks.checkpoint.intervall=1',
                   'train_cfg.max_epochs=1')
    assert ("default_hooks.checkpoint: unknown key 'intervall' (did you mean "
            "'interval'?)") in out
    # refused before the runner began: no log, no iteration, no work dir
    assert 'Epoch(train)' not in out and not (tmp_path / 'w').exists()
