# The four COCO images shipped in data/sample_coco, top-down at 256x192 with
# UDP heatmaps, no augmentation; trained and evaluated on the same images
# (an overfit set for CPU-sized experiments, not a benchmark). Training runs
# through the device-side pipeline of the COCO recipe: the head's codec draws
# the UDP heatmaps of the whole batch on the device.
codec = dict(
    type='ViTPoseUDPHeatmap',
    input_size=(192, 256),
    heatmap_size=(48, 64),
    sigma=2)

dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = '{{ fileDirname }}/../../../data/sample_coco/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
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
    batch_size=6,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='vitpose_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='test_coco.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='test_coco.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'test_coco.json')
test_evaluator = val_evaluator
