"""One train_step of the COCO recipe: one host-to-device copy per batch field
and no host synchronisation, on logged iterations too (acc on the device);
of the ViTPose++ recipe: no transfer per sample, no synchronisation.

On CPU the counter counts every call naming a device; the transfers are
counted in the data preprocessor, where the batch crosses to the device
(clip_grad_norm_'s same-device .to() calls would be counted otherwise)."""
import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from mmpose.registry import DATASETS, MODELS
from mmpose.utils import register_all_modules

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import vitpose_collate
from vitpose_plugin.models.utils import want_train_metrics

from ..configs.test_synthetic_multi_dataset import EXPERTS, tiny_splits
from ..tools.helpers import load_tool
from .tiny_coco import tiny_coco_config


@pytest.mark.parametrize('logged', [False, True])
def test_one_copy_per_field_no_sync(tmp_path, logged):
    register_all_modules()  # default scope mmpose
    cfg = tiny_coco_config(str(tmp_path), batch_size=6)
    cfg.optim_wrapper.optimizer.fused = True  # see test_runtime_info_hook
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    want_train_metrics(model, logged)
    counter = load_tool('train_throughput', 'analysis') \
        .HostDeviceTrafficCounter('cpu')
    with counter:
        model.data_preprocessor(batch, True)
    assert dict(counter.transfers) == {'to': 3}  # images, keypoints, vis.
    assert counter.total_syncs == 0, dict(counter.syncs)
    with counter:
        outputs = model.train_step(batch, optim_wrapper)
    assert counter.total_syncs == 0, dict(counter.syncs)
    assert ('acc_pose' in outputs) == logged


def test_vitpose_plus_step_moves_nothing_per_sample(tmp_path):
    """The ViTPose++ synthetic config (three datasets of 17, 14 and 16
    keypoints, one expert and one head each): one train_step at batch 3 and
    at batch 9 makes the same transfers (the preprocessor's copies, the
    dataset index included; the batch is sorted by it on the device) and no
    synchronisation: no tensor moves per sample."""
    register_all_modules()
    cfg = Config.fromfile(EXPERTS)
    tiny_splits(cfg, str(tmp_path / 'synthetic'))
    cfg.optim_wrapper.optimizer.fused = True
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert cfg.train_dataloader.collate_fn.type == 'vitpose_collate'
    counter = load_tool('train_throughput', 'analysis') \
        .HostDeviceTrafficCounter('cpu')
    samples = {}
    for index in range(len(dataset)):
        sample = dataset[index]
        samples.setdefault(sample['data_samples'].dataset_name, []).append(
            sample)
    coco, aic, mpii = (samples[name][0] for name in ('coco', 'aic', 'mpii'))
    transfers = []
    # unsorted by dataset: the step regroups them
    for items in ([aic, coco, mpii], [mpii, aic, coco] * 3):
        batch = vitpose_collate(items)
        with counter:
            outputs = model.train_step(batch, optim_wrapper)
        assert {'loss_kpt_coco', 'loss_kpt_aic', 'loss_kpt_mpii'} <= \
            set(outputs)
        assert counter.total_syncs == 0, dict(counter.syncs)
        transfers.append(sum(counter.transfers.values()))
        counter.transfers.clear()
    assert transfers[0] == transfers[1], transfers
