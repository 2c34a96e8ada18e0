# Overfit check: a small ViTPose trained from scratch on the four real COCO
# images shipped in data/sample_coco and evaluated on the same images with
# COCO keypoint AP. It proves that data pipeline, UDP target encoding, loss,
# decoding and CocoMetric are wired together (an overfit test, not a
# benchmark; the learnability benchmark in configs/vitpose_synthetic/ is the
# main job). About 40 seconds of training on 2 idle CPU cores (AP 0.911 after
# 20 epochs, 1.000 after 40 and 60; measured 2026-12-05).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/coco_sample_topdown_256x192.py',
]

max_epochs = 60
randomness = dict(seed=0, deterministic=False)

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    type='ViTPoseOptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999),
                   weight_decay=0.01),
    constructor='ViTPoseLayerDecayConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.9),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-5, by_epoch=True),
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))
custom_hooks = []  # no BN buffer sync needed on one process

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='ViTPoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ViTPoseBackbone',
        arch=dict(embed_dims=192, depth=6, num_heads=6, mlp_ratio=4),
        img_size=(256, 192),
        patch_size=16,
        patch_padding=2,
        drop_path_rate=0.0),
    head=dict(
        type='ViTPoseClassicHead',
        in_channels=192,
        out_channels=17,
        deconv_out_channels=(128, 128),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder={{_base_.codec}}),
    test_cfg=dict(flip_test=False))

