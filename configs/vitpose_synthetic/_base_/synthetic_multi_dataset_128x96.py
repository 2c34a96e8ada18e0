# Shared pieces of the multi-dataset evidence on the learnability benchmark
# (docs/multi_dataset.md): the tiny ViTPose of
# td-hm_ViTPose-tiny_synthetic-128x96.py and three generated datasets with
# different keypoint sets and unequal sizes, all at 128x96:
#   coco  COCO's 17 keypoints, 8,000 train instances (seed 0)
#   aic   AI Challenger's 14 (head top, neck), 1,000 (seed 10)
#   mpii  MPII's 16 (pelvis, thorax, upper neck, head top), 1,000 (seed 20)
# each validated on 300 instances of its own (seeds 1, 11, 21) with OKS AP
# (CocoMetric with that dataset's sigmas, AIC's x 3.6; results prefixed by
# the dataset's name).
# Every run has the same budget: 2,000 iterations of batch 8 (16,000 crops),
# the same optimiser and an iteration-based schedule, so that runs of
# different epoch counts follow the same learning-rate curve.
_base_ = ['../../_base_/default_runtime.py']

cache_root = '{{ fileDirname }}/../../../data/synthetic_coco'
batch_size = 8
total_iters = 2000
randomness = dict(seed=0, deterministic=False)
# Read by MMPose's inferencers (MMPoseInferencer, tools/demo/).
data_mode = 'topdown'
dataset_type = 'SyntheticCocoDataset'

# ViTPoseOptimWrapper: the gradient norm stays on the device until logged.
optim_wrapper = dict(
    type='ViTPoseOptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05, fused=True),
    constructor='ViTPoseLayerDecayConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.95),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=200, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=total_iters,
         T_max=total_iters, eta_min=1e-5, by_epoch=False),
]
# Only the final model is evaluated and kept.
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(save_best=None, save_last=True))
custom_hooks = [
    dict(type='TorchRuntimeHook', num_threads=1,
         sharing_strategy='file_system')
]

codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(96, 128),
    heatmap_size=(24, 32),
    sigma=2,
    blur_kernel_size=7)
backbone = dict(
    type='ViTPoseBackbone',
    arch=dict(embed_dims=128, depth=4, num_heads=4, mlp_ratio=4),
    img_size=(128, 96),
    patch_size=16,
    patch_padding=2,
    drop_path_rate=0.0)
data_preprocessor = dict(
    type='ViTPoseDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
# The model's test_cfg (a top-level `test_cfg` would be the runner's loop).
model_test_cfg = dict(
    flip_test=True, flip_mode='heatmap', shift_heatmap=False)
num_keypoints = dict(coco=17, aic=14, mpii=16)
head = dict(
    type='ViTPoseClassicHead',
    in_channels=128,
    out_channels=17,
    deconv_out_channels=(64, 64),
    deconv_kernel_sizes=(4, 4),
    loss=dict(type='KeypointMSELoss', use_target_weight=True),
    decoder=codec)
coco_head = dict(head, out_channels=num_keypoints['coco'])
aic_head = dict(head, out_channels=num_keypoints['aic'])
mpii_head = dict(head, out_channels=num_keypoints['mpii'])

# The fast pipeline (docs/training_speed.md): each head draws its dataset
# group's heatmaps on the device with its codec.
train_pipeline = [
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
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

# Train and val splits; the images differ between datasets (seeds).
train_size = dict(coco=8000, aic=1000, mpii=1000)
coco_train = dict(
    type='SyntheticCocoDataset',
    keypoint_set='coco',
    generator=dict(seed=0, num_instances=train_size['coco']),
    cache_root=cache_root,
    name='train',
    data_mode='topdown',
    pipeline=train_pipeline)
aic_train = dict(
    coco_train,
    keypoint_set='aic',
    generator=dict(seed=10, num_instances=train_size['aic']),
    # Explicit (the same file keypoint_set picks): MMPose's inference API
    # reads the model's keypoints from the train dataset's config.
    metainfo=dict(from_file='configs/_base_/datasets/aic.py'),
    name='aic-train')
mpii_train = dict(
    coco_train,
    keypoint_set='mpii',
    generator=dict(seed=20, num_instances=train_size['mpii']),
    metainfo=dict(from_file='configs/_base_/datasets/mpii.py'),
    name='mpii-train')
coco_val = dict(
    type='SyntheticCocoDataset',
    keypoint_set='coco',
    generator=dict(seed=1, num_instances=300),
    cache_root=cache_root,
    name='val',
    data_mode='topdown',
    test_mode=True,
    pipeline=val_pipeline)
# AIC evaluated with its sigmas x 3.6 (see aic_synthetic_sigmas.py): with
# AIC's own, every model here scores AP ~0.001.
aic_val = dict(
    coco_val,
    keypoint_set='aic',
    metainfo=dict(from_file='{{ fileDirname }}/aic_synthetic_sigmas.py'),
    generator=dict(seed=11, num_instances=300),
    name='aic-val')
mpii_val = dict(
    coco_val,
    keypoint_set='mpii',
    metainfo=dict(from_file='configs/_base_/datasets/mpii.py'),
    generator=dict(seed=21, num_instances=300),
    name='mpii-val')
# OKS AP with the dataset's own sigmas (from its metainfo); ann_file=None:
# the ground truth comes from the val dataset.
metric = dict(type='CocoMetric')

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'))
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False))
test_dataloader = val_dataloader
