"""The ViTPose-B COCO config with a tiny backbone, on data/sample_coco."""
import os.path as osp

from mmengine.config import Config

from ..conftest import REPO_ROOT

COCO_CONFIG = osp.join(REPO_ROOT, 'configs', 'body_2d_keypoint',
                       'topdown_heatmap', 'coco',
                       'td-hm_ViTPose-base_8xb64-210e_coco-256x192.py')


def tiny_coco_config(work_dir: str, epochs: int = 2, batch_size: int = 4,
                     log_interval: int = 2) -> Config:
    """COCO recipe (pipeline, preprocessor, hooks, optimizer) at CPU size."""
    cfg = Config.fromfile(COCO_CONFIG)
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.arch = dict(
        embed_dims=32, depth=1, num_heads=2, mlp_ratio=2)
    cfg.model.head.in_channels = 32
    cfg.model.head.deconv_out_channels = (16, 16)
    loader = cfg.train_dataloader
    loader.update(batch_size=batch_size, num_workers=0,
                  persistent_workers=False)
    loader.dataset.update(
        data_root=osp.join(REPO_ROOT, 'data', 'sample_coco') + '/',
        ann_file='test_coco.json', data_prefix=dict(img=''))
    cfg.train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=100)
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator',
                'test_dataloader', 'test_cfg', 'test_evaluator'):
        cfg[key] = None
    cfg.default_hooks.logger.interval = log_interval
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.work_dir = work_dir
    return cfg
