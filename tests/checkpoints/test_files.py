"""The one checkpoint reader: weights_only with an allow-list, refusals
that name the file and the global, the documented opt-in, one saver."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.fileio import load
from mmengine.logging import HistoryBuffer

from vitpose_plugin.checkpoints import (TRUST_ENV, CorruptCheckpointError,
                                        UnsafeCheckpointError,
                                        read_checkpoint, read_state_dict,
                                        save_checkpoint)
from vitpose_plugin.checkpoints.cli import main as checkpoints_cli
from vitpose_plugin.checkpoints.files import dump_atomically, dump_format
from .malicious import save_malicious_checkpoint


def test_mmengine_and_mmpose_contents_load_with_weights_only(tmp_path):
    history = HistoryBuffer()
    history.update(0.5)
    history.update(0.25)
    path = str(tmp_path / 'run.pth')
    torch.save(
        dict(state_dict={'w': torch.ones(2)},
             meta=dict(dataset_meta=dict(sigmas=np.ones(3, np.float32),
                                         dtype=np.dtype('int64')),
                       seed=np.int64(3), score=np.float64(0.5)),
             message_hub=dict(log_scalars={'train/loss': history})), path)
    loaded = read_checkpoint(path)
    np.testing.assert_array_equal(loaded['meta']['dataset_meta']['sigmas'],
                                  np.ones(3, np.float32))
    assert loaded['meta']['dataset_meta']['dtype'] == np.dtype('int64')
    assert loaded['meta']['seed'] == 3 and loaded['meta']['score'] == 0.5
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.mean() == pytest.approx(0.375)


def test_code_in_a_checkpoint_is_refused_naming_file_and_global(tmp_path):
    path = str(tmp_path / 'evil.pth')
    marker = save_malicious_checkpoint(path)
    with pytest.raises(UnsafeCheckpointError) as error:
        read_checkpoint(path, config_key='load_from')
    message = str(error.value)
    assert f'load_from: refusing to load {path}' in message
    assert 'builtins.exec' in message and TRUST_ENV in message
    assert not osp.exists(marker)


def test_the_opt_in_loads_trusted_legacy_files_completely(tmp_path,
                                                          monkeypatch):
    path = str(tmp_path / 'legacy.pth')
    marker = save_malicious_checkpoint(path, {'w': torch.ones(1)})
    monkeypatch.setenv(TRUST_ENV, '1')
    assert read_state_dict(path)['w'].item() == 1
    assert osp.exists(marker)  # it really was unpickled completely


@pytest.mark.parametrize('spelling', ['true', 'TRUE', 'Yes', 'on', ' 1 '])
def test_the_opt_in_accepts_the_usual_yes_spellings(spelling, tmp_path,
                                                    monkeypatch):
    path = str(tmp_path / 'legacy.pth')
    marker = save_malicious_checkpoint(path, {'w': torch.ones(1)})
    monkeypatch.setenv(TRUST_ENV, spelling)
    assert read_state_dict(path)['w'].item() == 1
    assert osp.exists(marker)


@pytest.mark.parametrize('spelling', ['0', 'false', 'No', 'OFF', ''])
def test_the_usual_no_spellings_keep_the_safe_reader(spelling, tmp_path,
                                                     monkeypatch):
    path = str(tmp_path / 'legacy.pth')
    marker = save_malicious_checkpoint(path)
    monkeypatch.setenv(TRUST_ENV, spelling)
    with pytest.raises(UnsafeCheckpointError):
        read_checkpoint(path)
    assert not osp.exists(marker)


@pytest.mark.parametrize('spelling', ['ture', '2', 'y e s'])
def test_other_values_of_the_opt_in_are_refused_loudly(spelling, tmp_path,
                                                       monkeypatch):
    path = str(tmp_path / 'legacy.pth')
    marker = save_malicious_checkpoint(path)
    monkeypatch.setenv(TRUST_ENV, spelling)
    with pytest.raises(ValueError) as error:
        read_checkpoint(path)
    message = str(error.value)
    assert f'{TRUST_ENV}={spelling!r}' in message
    assert '1, true, yes, on' in message and '0, false, no, off' in message
    assert not osp.exists(marker)


def report_line(out: str, path: str) -> str:
    """The line of ``inspect``'s report about ``path`` itself."""
    return next(line for line in out.splitlines()
                if line.startswith(f'{path}: '))


def test_inspect_with_the_opt_in_says_the_file_was_unpickled_completely(
        tmp_path, monkeypatch, capsys):
    # a layout inspect recognises: a distillation run
    state = {'student.backbone.pos_embed': torch.zeros(1, 2, 4)}
    evil = str(tmp_path / 'legacy.pth')
    save_malicious_checkpoint(evil, state)
    plain = str(tmp_path / 'plain.pth')
    save_checkpoint(state, plain)
    monkeypatch.setenv(TRUST_ENV, 'true')
    assert checkpoints_cli(['inspect', evil]) == 0
    first = report_line(capsys.readouterr().out, evil)
    assert 'weights_only=True' in first and 'loads with' not in first
    assert f'unpickled completely ({TRUST_ENV}=true)' in first
    assert 'refused with weights_only=True: it calls builtins.exec' in first
    assert checkpoints_cli(['inspect', plain]) == 0
    first = report_line(capsys.readouterr().out, plain)
    assert f'unpickled completely ({TRUST_ENV}=true)' in first
    assert 'it also loads with weights_only=True' in first
    monkeypatch.delenv(TRUST_ENV)
    assert checkpoints_cli(['inspect', plain]) == 0
    assert '(loads with weights_only=True)' in capsys.readouterr().out


def test_missing_and_corrupt_files_are_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as error:
        read_checkpoint('nope.pth', config_key='model.teacher_checkpoint')
    assert f'model.teacher_checkpoint: no checkpoint file at ' \
        f'{tmp_path / "nope.pth"} (resolved against the current ' \
        f'directory {os.getcwd()})' in str(error.value)
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint at all')
    with pytest.raises(CorruptCheckpointError, match='garbage.pth'):
        read_checkpoint(str(garbage))
    with pytest.raises(ValueError, match='checkpoint path or URL'):
        read_checkpoint(None)


def test_saved_checkpoints_hold_only_tensors_and_plain_values(tmp_path):
    weight = torch.ones(2, requires_grad=True)
    path = str(tmp_path / 'sub' / 'out.pth')
    save_checkpoint({'w': weight}, path, source='x.pth', depth=2)
    saved = torch.load(path, weights_only=True)
    assert saved['meta'] == dict(source='x.pth', depth=2)
    assert not saved['state_dict']['w'].requires_grad
    assert read_state_dict(path).keys() == {'w'}


@pytest.mark.parametrize('name', ['m.json', 'm.yaml', 'm.pkl', 'M.PICKLE'])
def test_dump_atomically_writes_the_format_of_the_suffix(name, tmp_path):
    path = str(tmp_path / name)
    dump_atomically({'AP': 0.5}, path)
    assert load(path, file_format=dump_format(path)) == {'AP': 0.5}
    assert os.listdir(tmp_path) == [name]  # no temporary left


def test_dump_atomically_takes_any_name_given_a_format(tmp_path):
    path = str(tmp_path / 'results')
    with pytest.raises(ValueError, match=f'--json {path}: the file name '
                       r'must end in one of \.json'):
        dump_format(path, '--json')
    dump_atomically([1, 2], path, file_format='json', indent=2)
    assert open(path).read() == '[\n  1,\n  2\n]'
