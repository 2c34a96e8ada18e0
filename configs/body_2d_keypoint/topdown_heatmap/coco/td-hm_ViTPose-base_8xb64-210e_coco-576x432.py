# Input-resolution ablation (paper Table 4): ViTPose-B, classic decoder, COCO
# at 576x432 with 144x108 UDP heatmaps. Everything else as the 256x192
# config; the MAE position embedding is interpolated to the 36x27 token grid.
_base_ = ['./td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(432, 576),
    heatmap_size=(108, 144),
    sigma=2)

model = dict(
    backbone=dict(img_size=(576, 432)),
    head=dict(decoder=codec))

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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
