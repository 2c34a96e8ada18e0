"""The MAE pretraining configs: MAE's published recipe on COCO + AIC person
crops, and an epoch of the recipe's root on the shipped samples."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

from vitpose_plugin.engine import ViTPoseRunner
from vitpose_plugin.models.backbones.vitpose_vit import resolve_arch

from ..conftest import REPO_ROOT

FOLDER = osp.join(REPO_ROOT, 'configs', 'mae_pretraining')
SIZES = ('small', 'base', 'large', 'huge')


def mae_config(size):
    return osp.join(FOLDER,
                    f'mae_ViTPose-{size}_8xb512-1600e_coco-aic-256x192.py')


def finetune_config(size):
    return osp.join(
        REPO_ROOT, 'configs', 'body_2d_keypoint', 'topdown_heatmap', 'coco',
        'mae_coco_aic',
        f'td-hm_ViTPose-{size}-mae-coco-aic_8xb64-210e_coco-256x192.py')


def test_every_size_has_a_pretraining_and_a_finetuning_config():
    found = sorted(glob.glob(osp.join(FOLDER, '*coco-aic*.py')))
    assert found == sorted(mae_config(size) for size in SIZES)
    assert all(osp.isfile(finetune_config(size)) for size in SIZES)


@pytest.mark.parametrize('size', SIZES)
def test_mae_recipe(size):
    cfg = Config.fromfile(mae_config(size))
    assert cfg.default_scope == 'mmpretrain'
    model = cfg.model
    assert model.type == 'MAE'
    assert model.backbone.type == 'ViTPoseMAEViT'
    assert model.backbone.arch == size
    assert model.backbone.mask_ratio == 0.75
    assert tuple(model.backbone.img_size) == (256, 192)
    # the decoder reads the encoder's width; MAE's decoder for every size
    assert model.neck.embed_dim == resolve_arch(size)['embed_dims']
    assert (model.neck.decoder_embed_dim, model.neck.decoder_depth,
            model.neck.decoder_num_heads) == (512, 8, 16)
    assert model.head.norm_pix is True
    assert model.head.loss.criterion == 'L2'
    optimizer = cfg.optim_wrapper.optimizer
    batch = 8 * cfg.train_dataloader.batch_size
    assert optimizer.type == 'AdamW'
    assert optimizer.lr == pytest.approx(1.5e-4 * batch / 256)
    assert tuple(optimizer.betas) == (0.9, 0.95)
    assert optimizer.weight_decay == 0.05
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('LinearLR', 40)
    assert (cosine.type, cosine.begin, cosine.end) == (
        'CosineAnnealingLR', 40, 1600)
    assert cfg.train_cfg.max_epochs == 1600
    datasets = cfg.train_dataloader.dataset.datasets
    assert [d.ann_file for d in datasets] == [
        'annotations/person_keypoints_train2017.json',
        'annotations/aic_train.json']
    crop = datasets[0].pipeline[1]
    assert crop.type == 'ViTPosePersonRandomResizedCrop'
    assert tuple(crop.crop_size) == (256, 192)
    assert tuple(crop.crop_ratio_range) == (0.2, 1.0)


@pytest.mark.parametrize('size', SIZES)
def test_finetuning_starts_from_the_pretraining_output(size):
    cfg = Config.fromfile(finetune_config(size))
    backbone = cfg.model.backbone
    assert backbone.arch == size
    assert backbone.init_cfg.type == 'Pretrained'
    work_dir = osp.splitext(osp.basename(mae_config(size)))[0]
    assert backbone.init_cfg.checkpoint == \
        f'work_dirs/{work_dir}/epoch_1600.pth'
    assert backbone.get('patch_kernel_size') is None  # 16x16 MAE patches


def test_recipe_trains_an_epoch_on_the_samples(tmp_path):
    cfg = Config.fromfile(mae_config('base'))
    samples = osp.join(REPO_ROOT, 'data')
    coco, aic = cfg.train_dataloader.dataset.datasets
    coco.update(data_root=osp.join(samples, 'sample_coco'),
                ann_file='test_coco.json', data_prefix=dict(img_path=''))
    aic.update(data_root=osp.join(samples, 'sample_aic'),
               ann_file='test_aic.json', data_prefix=dict(img_path=''))
    cfg.train_dataloader.update(batch_size=8, num_workers=0,
                                persistent_workers=False)
    cfg.model.backbone.arch = dict(embed_dims=32, depth=1, num_heads=2)
    cfg.model.neck.update(embed_dim=32, decoder_embed_dim=32,
                          decoder_depth=1, decoder_num_heads=2)
    cfg.optim_wrapper.type = 'OptimWrapper'  # fp32 on the CPU
    cfg.optim_wrapper.pop('loss_scale')
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = str(tmp_path)
    cfg.log_level = 'WARNING'
    runner = ViTPoseRunner.from_cfg(cfg)
    # every labelled person of both files is a sample
    people = sum(
        sum(ann['num_keypoints'] > 0 and not ann.get('iscrowd', 0)
            for ann in json.load(open(osp.join(d.data_root, d.ann_file)))
            ['annotations']) for d in (coco, aic))
    assert len(runner.train_dataloader.dataset) == people == 21
    runner.train()
    assert runner.iter == 3  # 21 crops in batches of 8
