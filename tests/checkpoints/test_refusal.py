"""A checkpoint that would run code is refused by every way the plugin
reads checkpoints, and its code never runs."""
import os.path as osp
import sys

import pytest

from vitpose_plugin.checkpoints import UnsafeCheckpointError
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli
from vitpose_plugin.models import (ViTPoseBackbone, ViTPoseKnowledgeTokenTuner,
                                   ViTPoseTokenDistiller)
from ..models.distillers.helpers import pose_model_cfg, save_teacher
from ..tools.helpers import REPO_ROOT, load_tool, tool_env
from .malicious import save_malicious_checkpoint
from .test_round_trip import pose_model, runner


@pytest.fixture
def evil(tmp_path):
    path = str(tmp_path / 'downloaded.pth')
    marker = save_malicious_checkpoint(path)
    yield path
    assert not osp.exists(marker), 'the checkpoint ran code'


def refused(load, path, option=None):
    """``load()`` refuses ``path``; its message starts with ``option``, the
    name under which the user gave the file, if given."""
    with pytest.raises(UnsafeCheckpointError) as error:
        load()
    assert path in str(error.value) and 'builtins.exec' in str(error.value)
    if option is not None:
        assert str(error.value).startswith(f'{option}: refusing to load')


def test_load_from(evil, tmp_path):
    loader = runner(pose_model(), str(tmp_path / 'w'), load_from=evil)
    refused(loader.load_or_resume, evil, 'load_from')


def test_resume(evil, tmp_path):
    loader = runner(pose_model(), str(tmp_path / 'w'), load_from=evil,
                    resume=True)
    refused(loader.load_or_resume, evil, 'load_from')


def test_automatic_resume(evil, tmp_path):
    work_dir = tmp_path / 'w'
    work_dir.mkdir()
    (work_dir / 'last_checkpoint').write_text(evil)
    loader = runner(pose_model(), str(work_dir), resume=True)
    refused(loader.load_or_resume, evil,
            f'resume (the latest checkpoint of {work_dir})')


def test_the_runner_names_the_option_its_tool_was_given(evil, tmp_path):
    loader = runner(pose_model(), str(tmp_path / 'w'), load_from=evil)
    loader.checkpoint_option = 'checkpoint argument'
    refused(loader.load_or_resume, evil, 'checkpoint argument')


def test_backbone_init_cfg(evil):
    backbone = ViTPoseBackbone(
        arch=dict(embed_dims=16, depth=1, num_heads=2),
        init_cfg=dict(type='Pretrained', checkpoint=evil))
    refused(backbone.init_weights, evil)


def test_token_tuner_teacher(evil):
    refused(lambda: ViTPoseKnowledgeTokenTuner(pose_model_cfg(16), evil),
            evil)


@pytest.mark.parametrize('key', ['teacher_checkpoint', 'token_checkpoint',
                                 'student_checkpoint'])
def test_token_distiller(key, evil, tmp_path):
    teacher, _ = save_teacher(str(tmp_path / 'teacher.pth'), width=16)
    options = dict(student=pose_model_cfg(16), teacher=pose_model_cfg(16),
                   teacher_checkpoint=teacher, token_checkpoint=teacher)
    options[key] = evil
    if key == 'student_checkpoint':
        refused(ViTPoseTokenDistiller(**options).init_weights, evil)
    else:
        refused(lambda: ViTPoseTokenDistiller(**options), evil)


@pytest.mark.parametrize('tool', [
    'vitpose_official_to_plugin', 'mmpose_vitpose_to_plugin',
    'mae_to_plugin', 'extract_student', 'extract_teacher'
])
def test_converter_scripts(tool, evil, tmp_path, capsys):
    dst = str(tmp_path / 'out.pth')
    assert load_tool(tool, 'model_converters').main([evil, dst]) == 1
    err = capsys.readouterr().err
    assert f'refusing to load {evil}' in err and 'builtins.exec' in err
    assert not osp.exists(dst)


@pytest.mark.parametrize('command', ['convert', 'inspect'])
def test_checkpoints_command(command, evil, tmp_path, capsys):
    args = [command, evil] + ([str(tmp_path / 'o.pth')]
                              if command == 'convert' else [])
    assert checkpoints_cli(args) == 1
    assert 'builtins.exec' in capsys.readouterr().err


@pytest.mark.parametrize('tool,option', [('test', 'checkpoint argument'),
                                         ('train --resume', '--resume')])
def test_train_and_test_tools(tool, option, evil, tmp_path, sample_config):
    import subprocess
    script, *flags = tool.split()
    args = [sys.executable, f'tools/{script}.py', sample_config]
    args += [*flags, evil] if flags else [evil]
    proc = subprocess.run(
        args + ['--work-dir', str(tmp_path / 'w')], cwd=REPO_ROOT,
        env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    assert proc.returncode != 0
    assert 'UnsafeCheckpointError' in proc.stdout
    assert f'{option}: refusing to load {evil}' in proc.stdout, \
        proc.stdout[-3000:]
