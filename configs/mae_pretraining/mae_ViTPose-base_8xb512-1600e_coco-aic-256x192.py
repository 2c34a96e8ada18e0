# MAE pretraining of the ViTPose-B backbone on COCO train2017 + AI Challenger
# person crops (paper sec. 3.3 / 4.2: "about as good as ImageNet-1k with
# half the data"). One sample per person box, expanded as the top-down
# pipeline expands it (x1.25, aspect 3:4), randomly resize-cropped inside
# that region to 256x192 (16x12 patches) and flipped; 75 % of the patches
# masked. Stated by the paper: the data (COCO + AIC person crops), MAE with
# a 0.75 mask ratio, 1,600 epochs. Not stated there, MAE's published recipe
# (He et al.): batch 4096, AdamW lr 1.5e-4 x 4096 / 256, betas (0.9, 0.95),
# weight decay 0.05 (none on norms, biases, position embeddings and tokens),
# 40 warm-up epochs, cosine decay, normalised-pixel L2 loss, decoder width
# 512, depth 8, 16 heads, crop area 0.2-1.0, plain 16x16 patch embedding.
# The output initialises ViTPoseBackbone through init_cfg (see
# body_2d_keypoint/topdown_heatmap/coco/mae_coco_aic/). Point the data at
# your copies with --cfg-options
#   train_dataloader.dataset.datasets.0.data_root=/path/to/coco/
#   train_dataloader.dataset.datasets.1.data_root=/path/to/aic/
_base_ = ['mmpretrain::_base_/default_runtime.py']

default_scope = 'mmpretrain'
custom_imports = dict(
    imports=['vitpose_plugin', 'vitpose_plugin.pretraining'],
    allow_failed_imports=False)

coco_root = 'data/coco/'
aic_root = 'data/aic/'
img_size = (256, 192)
patch_size = 16
embed_dims = 768
max_epochs = 1600
warmup_epochs = 40

model = dict(
    type='MAE',
    backbone=dict(
        type='ViTPoseMAEViT',
        arch='base',
        img_size=img_size,
        patch_size=patch_size,
        mask_ratio=0.75),
    neck=dict(
        type='ViTPoseMAEPretrainDecoder',
        img_size=img_size,
        patch_size=patch_size,
        in_chans=3,
        embed_dim=embed_dims,
        decoder_embed_dim=512,
        decoder_depth=8,
        decoder_num_heads=16,
        mlp_ratio=4),
    head=dict(
        type='ViTPoseMAEPretrainHead',
        norm_pix=True,
        img_size=img_size,
        patch_size=patch_size,
        loss=dict(type='PixelReconstructionLoss', criterion='L2')),
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    init_cfg=[
        dict(type='Xavier', layer='Linear', distribution='uniform'),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
    ])

# One decode per image for all of its persons: the sampler visits the
# persons of an image in a row and ViTPoseLoadImage keeps the last decoded
# image; the crops (and their random draws) are those of a per-sample
# LoadImageFromFile, crop, RandomFlip(prob=0.5), PackInputs pipeline in the
# same order. The crop flips (flip_prob) and ViTPosePackImage packs the
# pixels alone (MAE reads no data sample); vitpose_image_collate stacks the
# crops into one uint8 batch tensor, pinned: one host-device copy per batch.
train_pipeline = [
    dict(type='mmpose.ViTPoseLoadImage'),
    dict(type='ViTPosePersonRandomResizedCrop', crop_size=img_size,
         crop_ratio_range=(0.2, 1.0), interpolation='bicubic',
         flip_prob=0.5),
    dict(type='ViTPosePackImage'),
]
train_dataloader = dict(
    batch_size=512,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='mmpose.ViTPoseImageGroupedSampler', shuffle=True),
    collate_fn=dict(type='vitpose_image_collate'),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type='ViTPosePersonCropDataset',
                 data_root=coco_root,
                 ann_file='annotations/person_keypoints_train2017.json',
                 data_prefix=dict(img_path='train2017/'),
                 pipeline=train_pipeline),
            dict(type='ViTPosePersonCropDataset',
                 data_root=aic_root,
                 ann_file='annotations/aic_train.json',
                 data_prefix=dict(
                     img_path='ai_challenger_keypoint_train_20170902/'
                     'keypoint_train_images_20170902/'),
                 pipeline=train_pipeline),
        ]))

optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=1.5e-4 * 4096 / 256, betas=(0.9, 0.95),
        weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys={
            'ln': dict(decay_mult=0.0),
            'bias': dict(decay_mult=0.0),
            'pos_embed': dict(decay_mult=0.),
            'mask_token': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.)
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs,
         by_epoch=True, begin=warmup_epochs, end=max_epochs,
         convert_to_iter_based=True),
]
# ViTPose's loop: exact resume (mid-epoch, persistent workers), augmentations
# drawn from (seed, epoch, sample index), masks from (seed, iteration)
train_cfg = dict(
    type='mmpose.ViTPoseEpochBasedTrainLoop', max_epochs=max_epochs)
# A NaN/inf loss stops training naming the iteration; no checkpoint with
# non-finite weights is written (see configs/_base_/default_runtime.py).
default_hooks = dict(
    nonfinite=dict(type='mmpose.ViTPoseNonFiniteLossHook'),
    checkpoint=dict(type='CheckpointHook', interval=50, max_keep_ckpts=2))
randomness = dict(seed=0, diff_rank_seed=True)
auto_scale_lr = dict(base_batch_size=4096)
