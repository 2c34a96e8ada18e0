# COCO's top-down pipelines and loaders at 256x192 with MSRA heatmaps instead
# of UDP: the official ViTPose configs of AIC, CrowdPose, OCHuman, AP-10K,
# APT-36K and COCO-WholeBody train with MMPose 0.x's TopDownGenerateTarget
# (sigma 2, no UDP) after a TopDownAffine without UDP, and flip-test with the
# flipped heatmaps shifted by one pixel (test_cfg shift_heatmap=True, set by
# each model config). ViTPoseMSRAHeatmap is MMPose's MSRAHeatmap with the
# targets drawn on the device (docs/training_speed.md). The dataset bases of
# those families inherit this file.
_base_ = ['./coco_topdown_256x192.py']

codec = dict(
    type='ViTPoseMSRAHeatmap',
    input_size=(192, 256),
    heatmap_size=(48, 64),
    sigma=2)

# COCO's pipelines with the affines of the non-UDP crop
train_pipeline = [
    dict(step, use_udp=False) if step['type'] == 'ViTPoseTopdownAffine'
    else step for step in _base_.train_pipeline
]
val_pipeline = [
    dict(step, use_udp=False) if step['type'] == 'TopdownAffine' else step
    for step in _base_.val_pipeline
]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
