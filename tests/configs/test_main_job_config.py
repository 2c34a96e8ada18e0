"""The README's main job (configs/vitpose_synthetic/td-hm_ViTPose-tiny_
synthetic-128x96.py) trains through the device-side pipeline that the COCO
recipe uses: workers decode and crop, the head's codec draws the targets for
the whole batch on the device, and one train_step moves nothing per sample
and reads nothing back to the host."""
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpose.registry import DATASETS, MODELS
from mmpose.utils import register_all_modules

import vitpose_plugin  # noqa: F401
from vitpose_plugin.datasets import vitpose_collate

from ..tools.helpers import load_tool
from ..tools.learnability_run import CONFIG as MAIN_JOB


def test_main_job_uses_the_device_side_pipeline():
    cfg = Config.fromfile(MAIN_JOB)
    steps = [step.type for step in cfg.train_dataloader.dataset.pipeline]
    assert 'GenerateTarget' not in steps and steps[-1] == 'PackViTPoseInputs'
    assert cfg.train_dataloader.collate_fn.type == 'vitpose_collate'
    assert cfg.model.data_preprocessor.type == 'ViTPoseDataPreprocessor'
    assert cfg.model.head.decoder.type == 'ViTPoseUDPHeatmap'
    assert cfg.optim_wrapper.type == 'ViTPoseOptimWrapper'


def test_main_job_step_moves_nothing_per_sample(tmp_path):
    """One train_step at batch 3 and at batch 9 makes the same transfers and
    no host sync; the batch crosses to the device as three tensors (images,
    keypoints, visibility), whatever its size."""
    register_all_modules()
    cfg = Config.fromfile(MAIN_JOB)
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.cache_root = str(tmp_path / 'synthetic')
    dataset_cfg.generator.num_instances = 9
    cfg.optim_wrapper.optimizer.fused = True
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    dataset = DATASETS.build(dataset_cfg)
    samples = [dataset[index] for index in range(9)]
    counter = load_tool('train_throughput', 'analysis') \
        .HostDeviceTrafficCounter('cpu')
    transfers = []
    for items in (samples[:3], samples):
        batch = vitpose_collate(items)  # in the loader workers: not counted
        with counter:
            model.data_preprocessor(batch, True)
        assert dict(counter.transfers) == {'to': 3}
        counter.transfers.clear()
        batch = vitpose_collate(items)
        with counter:
            outputs = model.train_step(batch, optim_wrapper)
        assert 'loss_kpt' in outputs
        assert counter.total_syncs == 0, dict(counter.syncs)
        transfers.append(sum(counter.transfers.values()))
        counter.transfers.clear()
    assert transfers[0] == transfers[1], transfers
