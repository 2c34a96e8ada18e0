"""ViTPoseRunner: mmengine checkpoints resume through the safe reader."""
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
