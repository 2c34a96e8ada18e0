# Building blocks for multi-dataset training and evaluation (ViTPose
# multi-task, ViTPose++), top-down at 256x192 with UDP heatmaps. For each
# dataset NAME in coco, aic, mpii, crowdpose, ap10k, apt36k, wholebody:
#   NAME_train   train dataset config (its own pipeline, GT boxes)
#   NAME_val     val/test dataset config (detector boxes for COCO,
#                COCO-WholeBody and CrowdPose, GT boxes for the others)
#   NAME_metric  its metric (OKS AP; PCKh@0.5 for MPII)
# Each dataset keeps its own keypoints, flip pairs and targets; all share one
# input size, as a batch mixes datasets. Training runs the fast pipeline
# (docs/training_speed.md): workers decode and crop, vitpose_collate stacks
# every dataset's keypoints into one batch tensor, and each head draws its
# dataset group's heatmaps on the device with its codec (`decoder`). An experiment config picks and
# orders them (the order is the dataset index, and `names` are the keys of
# the model's heads and of the metrics), e.g.
#   dataset=dict(type='ViTPoseDatasetMixture',
#                datasets=[{{_base_.<NAME>_train}}, ...], names=[...])
#   val_evaluator=dict(type='ViTPoseMultiDatasetEvaluator',
#                      metrics=dict(<NAME>={{_base_.<NAME>_metric}}, ...))
# The loader skeletons below need only a `dataset`. Every path starts with
# data_root (data/coco/, data/aic/, ...), so
# --cfg-options data_root=/path/to/datasets/ moves them all.
codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(192, 256),
    heatmap_size=(48, 64),
    sigma=2)
data_mode = 'topdown'
data_root = 'data/'

# ViTPoseCheckAnnotation: bad samples fail naming file and annotation id, or
# with bad_sample='skip' are skipped and logged (per dataset, e.g.
# train_dataloader.dataset.datasets.0.pipeline.0.bad_sample=skip).
train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(type='ViTPoseRandomHalfBody'),
    dict(type='ViTPoseRandomBBoxTransform'),
    dict(
        type='ViTPoseTopdownAffine',
        input_size=codec['input_size'],
        use_udp=True),
    dict(type='PackViTPoseInputs'),
]
# MPII's own augmentation (as mpii_topdown_256x256.py): no half-body crops,
# no box shift.
mpii_train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(type='ViTPoseRandomBBoxTransform', shift_prob=0),
    dict(
        type='ViTPoseTopdownAffine',
        input_size=codec['input_size'],
        use_udp=True),
    dict(type='PackViTPoseInputs'),
]
val_pipeline = [
    dict(type='ViTPoseCheckAnnotation'),
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs'),
]

# COCO person keypoints (17)
coco_train = dict(
    type='CocoDataset',
    data_root=data_root + 'coco/',
    data_mode=data_mode,
    ann_file='annotations/person_keypoints_train2017.json',
    data_prefix=dict(img='train2017/'),
    pipeline=train_pipeline)
coco_val = dict(
    type='CocoDataset',
    data_root=data_root + 'coco/',
    data_mode=data_mode,
    ann_file='annotations/person_keypoints_val2017.json',
    bbox_file=data_root + 'coco/person_detection_results/'
    'COCO_val2017_detections_AP_H_56_person.json',
    data_prefix=dict(img='val2017/'),
    test_mode=True,
    pipeline=val_pipeline)
coco_metric = dict(
    type='CocoMetric',
    ann_file=data_root + 'coco/annotations/person_keypoints_val2017.json')

# AI Challenger (14); no areas, GT boxes on val
aic_train = dict(
    type='AicDataset',
    data_root=data_root + 'aic/',
    data_mode=data_mode,
    ann_file='annotations/aic_train.json',
    data_prefix=dict(img='ai_challenger_keypoint_train_20170902/'
                     'keypoint_train_images_20170902/'),
    pipeline=train_pipeline)
aic_val = dict(
    type='AicDataset',
    data_root=data_root + 'aic/',
    data_mode=data_mode,
    ann_file='annotations/aic_val.json',
    data_prefix=dict(img='ai_challenger_keypoint_validation_20170911/'
                     'keypoint_validation_images_20170911/'),
    test_mode=True,
    pipeline=val_pipeline)
aic_metric = dict(
    type='CocoMetric',
    ann_file=data_root + 'aic/annotations/aic_val.json',
    use_area=False)

# MPII (16); PCKh@0.5 with the head boxes of mpii_gt_val.mat
mpii_train = dict(
    type='MpiiDataset',
    data_root=data_root + 'mpii/',
    data_mode=data_mode,
    ann_file='annotations/mpii_train.json',
    data_prefix=dict(img='images/'),
    pipeline=mpii_train_pipeline)
mpii_val = dict(
    type='MpiiDataset',
    data_root=data_root + 'mpii/',
    data_mode=data_mode,
    ann_file='annotations/mpii_val.json',
    headbox_file=data_root + 'mpii/annotations/mpii_gt_val.mat',
    data_prefix=dict(img='images/'),
    test_mode=True,
    pipeline=val_pipeline)
mpii_metric = dict(type='MpiiPCKAccuracy')

# CrowdPose (14); trainval / test with detector boxes, crowd-aware AP
crowdpose_train = dict(
    type='CrowdPoseDataset',
    data_root=data_root + 'crowdpose/',
    data_mode=data_mode,
    ann_file='annotations/mmpose_crowdpose_trainval.json',
    data_prefix=dict(img='images/'),
    pipeline=train_pipeline)
crowdpose_val = dict(
    type='CrowdPoseDataset',
    data_root=data_root + 'crowdpose/',
    data_mode=data_mode,
    ann_file='annotations/mmpose_crowdpose_test.json',
    bbox_file=data_root + 'crowdpose/annotations/'
    'det_for_crowd_test_0.1_0.5.json',
    data_prefix=dict(img='images/'),
    test_mode=True,
    pipeline=val_pipeline)
crowdpose_metric = dict(
    type='CocoMetric',
    ann_file=data_root + 'crowdpose/annotations/mmpose_crowdpose_test.json',
    use_area=False,
    iou_type='keypoints_crowd')

# AP-10K (17 animal keypoints), split 1
ap10k_train = dict(
    type='AP10KDataset',
    data_root=data_root + 'ap10k/',
    data_mode=data_mode,
    ann_file='annotations/ap10k-train-split1.json',
    data_prefix=dict(img='data/'),
    pipeline=train_pipeline)
ap10k_val = dict(
    type='AP10KDataset',
    data_root=data_root + 'ap10k/',
    data_mode=data_mode,
    ann_file='annotations/ap10k-val-split1.json',
    data_prefix=dict(img='data/'),
    test_mode=True,
    pipeline=val_pipeline)
ap10k_metric = dict(
    type='CocoMetric',
    ann_file=data_root + 'ap10k/annotations/ap10k-val-split1.json')

# APT-36K: AP-10K's format and dataset class (so its metainfo dataset_name is
# 'ap10k' too: name it in the mixture's `names`); the annotation files of
# the official ViTPose configs (val = test)
apt36k_train = dict(
    type='AP10KDataset',
    data_root=data_root + 'apt36k/',
    data_mode=data_mode,
    ann_file='annotations/train_annotations_1.json',
    data_prefix=dict(img=''),
    pipeline=train_pipeline)
apt36k_val = dict(
    type='AP10KDataset',
    data_root=data_root + 'apt36k/',
    data_mode=data_mode,
    ann_file='annotations/val_annotations_1.json',
    data_prefix=dict(img=''),
    test_mode=True,
    pipeline=val_pipeline)
apt36k_metric = dict(
    type='CocoMetric',
    ann_file=data_root + 'apt36k/annotations/val_annotations_1.json')

# COCO-WholeBody (133) on the COCO images; metainfo dataset_name
# 'coco_wholebody'
wholebody_train = dict(
    type='CocoWholeBodyDataset',
    data_root=data_root + 'coco/',
    data_mode=data_mode,
    ann_file='annotations/coco_wholebody_train_v1.0.json',
    data_prefix=dict(img='train2017/'),
    pipeline=train_pipeline)
wholebody_val = dict(
    type='CocoWholeBodyDataset',
    data_root=data_root + 'coco/',
    data_mode=data_mode,
    ann_file='annotations/coco_wholebody_val_v1.0.json',
    bbox_file=data_root + 'coco/person_detection_results/'
    'COCO_val2017_detections_AP_H_56_person.json',
    data_prefix=dict(img='val2017/'),
    test_mode=True,
    pipeline=val_pipeline)
wholebody_metric = dict(
    type='CocoWholeBodyMetric',
    ann_file=data_root + 'coco/annotations/coco_wholebody_val_v1.0.json')

# Loader skeletons: an experiment adds dataset=dict(type=
# 'ViTPoseDatasetMixture', ...). Training visits every sample once per
# epoch, the persons of an image one after the other (by dataset: COCO and
# COCO-WholeBody share their images), so each image is decoded once for
# them, as the COCO recipe does; only the batch composition differs from
# the official shuffle (docs/training_speed.md). For independent batches:
# sampler=dict(type='DefaultSampler', shuffle=True). For fixed per-dataset
# counts in every batch: sampler=dict(type='MultiSourceSampler',
# batch_size=<batch_size>, source_ratio=[...]) (one entry per dataset).
# round_up=False on val/test, or padded samples would be evaluated twice.
train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='ViTPoseImageGroupedSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False))
test_dataloader = val_dataloader
