# OneHand10K (one hand, 21 keypoints), top-down at 256x256 with UDP heatmaps
# 64x64, sigma 2: MMPose's own UDP OneHand10K config (hand_2d_keypoint/
# topdown_heatmap/onehand10k/td-hm_hrnetv2-w18_udp-8xb64-210e_onehand10k-
# 256x256.py) for input size, codec, augmentation (flip, rotation factor
# 180, scale 0.7-1.3) and metrics (PCK@0.2 box-normalised, AUC, EPE; best
# checkpoint by AUC). Point a config at your copy with
# --cfg-options data_root=/path/to/onehand10k/
_base_ = ['./coco_topdown_256x192.py']

# the COCO base's codec (UDP heatmaps) at this size
codec = dict(input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
dataset_type = 'OneHand10KDataset'
data_root = 'data/onehand10k/'

train_pipeline = [
    dict(type='ViTPoseCheckAnnotation', bad_sample='error'),
    dict(type='ViTPoseLoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='ViTPoseRandomFlip', direction='horizontal'),
    dict(
        type='ViTPoseRandomBBoxTransform',
        rotate_factor=180,
        scale_factor=(0.7, 1.3)),
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
        ann_file='annotations/onehand10k_train.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/onehand10k_test.json',
        bbox_file=None,
        data_prefix=dict(img=''),
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='PCKAccuracy', thr=0.2),
    dict(type='AUC'),
    dict(type='EPE'),
]
test_evaluator = val_evaluator
