# Learnability benchmark: a tiny ViTPose trained from random initialisation
# on 20,000 generated figures and evaluated with COCO keypoint AP
# (ground-truth boxes) on 300 figures from a disjoint seed. Both splits are
# generated into data/synthetic_coco/ on first use (into the user's cache,
# ~/.cache/vitpose_plugin/synthetic_coco/, when run from the installed
# package, e.g. by mim). Measured AP 0.821 after 5 epochs, 6.4 minutes of
# training on 2 CPU cores (target 0.80 in 8 minutes);
# see docs/learnability.md for the time and how the recipe was found.
_base_ = ['../_base_/default_runtime.py']

cache_root = '{{ fileDirname }}/../../data/synthetic_coco'
max_epochs = 5
# Validation at the end only: the budget goes to training.
val_interval = max_epochs
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
    optimizer=dict(type='AdamW', lr=2.2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05, fused=True),
    constructor='ViTPoseLayerDecayConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.95),
    clip_grad=dict(max_norm=1.0, norm_type=2))
# Warm-up over the first 3,200 crops (320 iterations of 10).
param_scheduler = [
    dict(type='LinearLR', begin=0, end=320, start_factor=0.01,
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
# The weights' moving average (mmpose's ExpMomentumEMA, updated in one
# foreach call: ViTPoseExpMomentumEMA) is what validation, the checkpoints'
# EMA and testing use: +0.01 AP in short schedules.
custom_hooks = [
    dict(type='TorchRuntimeHook', num_threads=1,
         sharing_strategy='file_system'),
    dict(type='EMAHook', ema_type='ViTPoseExpMomentumEMA', momentum=0.001,
         update_buffers=True, priority=49),
]

# Narrower targets (sigma 1.5) learn faster in short schedules; a 7-pixel
# blur before UDP's sub-pixel refinement suits 32x24 heatmaps better than
# the default 11.
codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(96, 128),
    heatmap_size=(24, 32),
    sigma=1.5,
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
        decoder=codec,
        # The deconvolutions train in bfloat16 where the CPU computes it
        # natively (AMX / AVX512-BF16; float32 elsewhere, said in the log):
        # a 15 % cheaper step. The backbone's small matrices stay float32
        # (bfloat16 made them slower).
        autocast_dtype='bfloat16'),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# The device-side pipeline of the COCO recipe: the worker decodes and crops,
# the head's codec draws the batch's UDP heatmaps on the device.
train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    # Flip only: the data already vary in scale and rotation, the test boxes
    # are exact ground truth, and box jitter cost AP in short schedules.
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
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
# Batch 10: per crop 8 % cheaper than batch 8 at the same AP (two seeds,
# docs/learnability.md).
train_dataloader = dict(
    batch_size=10,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'),
    dataset=dict(
        type='SyntheticCocoDataset',
        # More distinct figures beat more epochs over the same ones.
        generator=dict(seed=0, num_instances=20000),
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
