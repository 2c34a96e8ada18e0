# Learnability benchmark: a tiny ViTPose trained from random initialisation
# on 10,000 generated figures and evaluated with COCO keypoint AP
# (ground-truth boxes) on 300 figures from a disjoint seed. Both splits are
# generated into data/synthetic_coco/ on first use (into the user's cache,
# ~/.cache/vitpose_plugin/synthetic_coco/, when run from the installed
# package, e.g. by mim). Budget: 15 minutes of training on 2 CPU cores;
# measured AP 0.818 after 12 epochs (~13 minutes; target 0.80); see
# docs/learnability.md.
_base_ = ['../_base_/default_runtime.py']

cache_root = '{{ fileDirname }}/../../data/synthetic_coco'
max_epochs = 12
val_interval = 3
randomness = dict(seed=0, deterministic=False)
# Read by MMPose's inferencers (MMPoseInferencer, tools/demo/): a top-down
# model; the dataset class decides the default person detector (none here:
# whole image or given boxes).
data_mode = 'topdown'
dataset_type = 'SyntheticCocoDataset'

train_cfg = dict(max_epochs=max_epochs, val_interval=val_interval)
# ViTPoseOptimWrapper: the gradient norm stays on the device until logged.
optim_wrapper = dict(
    type='ViTPoseOptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05, fused=True),
    constructor='ViTPoseLayerDecayConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.95),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=400, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, T_max=max_epochs,
         eta_min=1e-5, by_epoch=True),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=val_interval))
# One intra-op thread: the data-loader worker has the other core. Batches
# travel from the worker through shared files instead of one file descriptor
# per tensor. Together with the fused AdamW: 76 -> 50 ms per iteration.
custom_hooks = [
    dict(type='TorchRuntimeHook', num_threads=1,
         sharing_strategy='file_system')
]

# A 7-pixel blur before UDP's sub-pixel refinement suits 32x24 heatmaps
# better than the default 11 (+0.006 AP).
codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(96, 128),
    heatmap_size=(24, 32),
    sigma=2,
    blur_kernel_size=7)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='ViTPoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ViTPoseBackbone',
        arch=dict(embed_dims=128, depth=4, num_heads=4, mlp_ratio=4),
        img_size=(128, 96),
        patch_size=16,
        patch_padding=2,
        drop_path_rate=0.0),
    head=dict(
        type='ViTPoseClassicHead',
        in_channels=128,
        out_channels=17,
        deconv_out_channels=(64, 64),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# The device-side pipeline of the COCO recipe: the worker decodes and crops,
# the head's codec draws the batch's UDP heatmaps on the device.
train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    # Mild: the data already vary in scale and rotation, and the test boxes
    # are exact ground truth.
    dict(type='ViTPoseRandomBBoxTransform', shift_factor=0.05,
         scale_factor=(0.85, 1.15), rotate_factor=15),
    dict(type='ViTPoseTopdownAffine', input_size=codec['input_size'],
         use_udp=True),
    dict(type='PackViTPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'),
    dataset=dict(
        type='SyntheticCocoDataset',
        generator=dict(seed=0, num_instances=10000),
        cache_root=cache_root,
        name='train',
        data_mode='topdown',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='SyntheticCocoDataset',
        generator=dict(seed=1, num_instances=300),
        cache_root=cache_root,
        name='val',
        data_mode='topdown',
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
# ann_file=None: CocoMetric builds the ground truth from the dataset itself.
val_evaluator = dict(type='CocoMetric')
test_evaluator = val_evaluator
