"""ViTPoseRunner: mmengine checkpoints resume through the safe reader."""
import pytest

from vitpose_plugin.engine import ViTPoseRunner
from ...checkpoints.test_round_trip import pose_model, runner


def test_resume_restores_model_optimizer_and_message_hub(tmp_path):
    first = runner(pose_model(), str(tmp_path / 'w'), max_epochs=1)
    first.train()
    checkpoint = str(tmp_path / 'w' / 'epoch_1.pth')
    losses = first.message_hub.get_scalar('train/loss').data[0]

    resumed = runner(pose_model(), str(tmp_path / 'w'), max_epochs=2,
                     resume=True, load_from=checkpoint)
    resumed.train()
    assert resumed.epoch == 2 and resumed.iter == 4
    # The history of the first epoch came back from the checkpoint.
    history = resumed.message_hub.get_scalar('train/loss').data[0]
    assert len(history) == len(losses) + 2
    assert (history[:len(losses)] == losses).all()
    assert isinstance(resumed, ViTPoseRunner)


def test_from_cfg_refuses_misspelt_keys_before_building(sample_config,
                                                         tmp_path):
    from mmengine.config import Config

    from vitpose_plugin.engine.config_key_check import UnknownConfigKeyError
    cfg = Config.fromfile(sample_config)
    cfg.work_dir = str(tmp_path / 'w')
    cfg.model.test_cfg.flip_tset = True
    with pytest.raises(UnknownConfigKeyError,
                       match="model.test_cfg: unknown key 'flip_tset'"):
        ViTPoseRunner.from_cfg(cfg)
    assert not (tmp_path / 'w').exists()  # refused before the runner began
