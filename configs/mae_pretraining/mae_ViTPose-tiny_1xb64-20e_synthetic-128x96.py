# CPU evidence (docs/mae_pretraining.md): MAE pretraining of the tiny
# learnability backbone (width 128, depth 4, 4 heads; 128x96 inputs, an 8x6
# patch grid) on person crops of a synthetic split (seed 30, 2,000 people)
# disjoint from the learnability train (seed 0) and val (seed 1) splits.
# Mask ratio 0.75, normalised-pixel loss, AdamW betas (0.9, 0.95), wd 0.05,
# cosine decay, as in MAE; the budget (20 epochs, 640 iterations of batch
# 64), the decoder (width 128, depth 2) and the lr (1.5e-3) are scaled down
# for a few CPU minutes. Fine-tune with
# configs/vitpose_synthetic/td-hm_ViTPose-tiny-mae_synthetic-128x96.py.
_base_ = ['./mae_ViTPose-base_8xb512-1600e_coco-aic-256x192.py']

cache_root = '{{ fileDirname }}/../../data/synthetic_coco'
max_epochs = 20
img_size = (128, 96)
embed_dims = 128

model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=embed_dims, depth=4,
                  num_heads=4, mlp_ratio=4),
        img_size=img_size),
    neck=dict(
        img_size=img_size,
        embed_dim=embed_dims,
        decoder_embed_dim=128,
        decoder_depth=2,
        decoder_num_heads=4),
    head=dict(img_size=img_size))

train_pipeline = [
    dict(type='mmpose.ViTPoseLoadImage'),
    dict(type='ViTPosePersonRandomResizedCrop', crop_size=img_size,
         crop_ratio_range=(0.2, 1.0), flip_prob=0.5),
    dict(type='ViTPosePackImage'),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='mmpose.ViTPoseImageGroupedSampler', shuffle=True),
    collate_fn=dict(type='vitpose_image_collate'),
    dataset=dict(
        type='ViTPoseSyntheticPersonCropDataset',
        generator=dict(seed=30, num_instances=2000),
        cache_root=cache_root,
        name='mae',
        pipeline=train_pipeline))

# fp32 on the CPU (the recipe's AmpOptimWrapper is for GPUs).
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1.5e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg={{ _base_.optim_wrapper.paramwise_cfg }})
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=2, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 2, eta_min=1e-5,
         by_epoch=True, begin=2, end=max_epochs,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
# One intra-op thread: the loader worker has the other core.
custom_hooks = [dict(type='mmpose.TorchRuntimeHook', num_threads=1,
                     sharing_strategy='file_system')]
