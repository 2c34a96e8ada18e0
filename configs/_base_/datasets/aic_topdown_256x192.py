# AI Challenger keypoints (14 joints), top-down at 256x192 with MSRA heatmaps
# (as the official config), evaluated with OKS AP on the validation split (GT
# boxes; AIC has no areas). The pipelines are COCO's without UDP
# (msra_topdown_256x192.py). Point a config at your copy with
# --cfg-options data_root=/path/to/aic/
_base_ = ['./msra_topdown_256x192.py']

dataset_type = 'AicDataset'
data_root = 'data/aic/'

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/aic_train.json',
        data_prefix=dict(img='ai_challenger_keypoint_train_20170902/'
                         'keypoint_train_images_20170902/')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/aic_val.json',
        bbox_file=None,
        data_prefix=dict(img='ai_challenger_keypoint_validation_20170911/'
                         'keypoint_validation_images_20170911/')))
test_dataloader = val_dataloader

val_evaluator = dict(
    ann_file=data_root + 'annotations/aic_val.json', use_area=False)
test_evaluator = val_evaluator
