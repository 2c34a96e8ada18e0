# MPII (16 joints) at 256x192 with UDP heatmaps 64x48, as the official
# ViTPose MPII configs (ViTPose_<size>_mpii_256x192.py): MPII's own
# augmentation (no half-body crops, no box shift), GT boxes, PCKh@0.5 on
# the validation split. Point a config at your copy with
# --cfg-options data_root=/path/to/mpii/
_base_ = ['./mpii_topdown_256x256.py']

codec = dict(input_size=(192, 256), heatmap_size=(48, 64))

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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
