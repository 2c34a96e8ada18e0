"""The one checkpoint reader: weights_only with an allow-list, refusals
that name the file and the global, the documented opt-in, one saver."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from vitpose_plugin.checkpoints import (TRUST_ENV, CorruptCheckpointError,
                                        UnsafeCheckpointError,
                                        read_checkpoint, read_state_dict,
                                        save_checkpoint)
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
