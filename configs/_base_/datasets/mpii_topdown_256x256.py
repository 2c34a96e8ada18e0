# MPII single-person keypoints (16 joints), top-down at 256x256 with UDP
# heatmaps 64x64, evaluated with PCKh@0.5 on the validation split (GT boxes).
# Point a config at your copy with --cfg-options data_root=/path/to/mpii/
_base_ = ['./coco_topdown_256x192.py']

codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(256, 256),
    heatmap_size=(64, 64),
    sigma=2)
dataset_type = 'MpiiDataset'
data_root = 'data/mpii/'

train_pipeline = [
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
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/mpii_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/mpii_val.json',
        bbox_file=None,
        headbox_file=data_root + 'annotations/mpii_gt_val.mat',
        data_prefix=dict(img='images/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(_delete_=True, type='MpiiPCKAccuracy')
test_evaluator = val_evaluator
