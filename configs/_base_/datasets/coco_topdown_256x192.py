# COCO person keypoints, top-down at 256x192 with UDP heatmaps: training on
# train2017 with GT boxes, evaluation on val2017 with the boxes of a person
# detector of 56 AP (as in the paper). Point a config at your copy with
# --cfg-options data_root=/path/to/coco/
codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(192, 256),
    heatmap_size=(48, 64),
    sigma=2)

dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = 'data/coco/'

# MMPose's top-down training augmentations (flip, half body, box shift/scale/
# rotation, UDP affine) with faster equivalents where they cost time; the
# heatmap targets are drawn on the device by the model's
# ViTPoseDataPreprocessor (docs/training_speed.md).
# ViTPoseCheckAnnotation refuses a bad sample (wrong keypoint count, NaN,
# box without area) and, through ViTPoseLoadImage, a missing or undecodable
# image, naming the file and annotation id; bad_sample='skip' trains on
# other samples instead and logs each skip with a count:
#   --cfg-options train_dataloader.dataset.pipeline.0.bad_sample=skip
# Validation always fails on a bad sample (skipping would change the metric).
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
val_pipeline = [
    dict(type='ViTPoseCheckAnnotation'),
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size'], use_udp=True),
    dict(type='PackPoseInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    # every person once per epoch, the persons of an image in a row so that
    # each JPEG is decoded once (DefaultSampler: independent batches)
    sampler=dict(type='ViTPoseImageGroupedSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val2017.json',
        bbox_file=data_root + 'person_detection_results/'
        'COCO_val2017_detections_AP_H_56_person.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/person_keypoints_val2017.json')
test_evaluator = val_evaluator
