# Multi-task ViTPose-B (paper sec. 4.6): one MAE-initialised backbone, one
# classic decoder per dataset with its own keypoints, trained on COCO + AI
# Challenger + MPII at once. Published COCO val AP (detector boxes of 56 AP,
# flip test): 77.1, against 75.8 trained on COCO alone.
#
# This is the root of the multi-task family: the other sizes and datasets
# (and the ViTPose++ configs) inherit it and override only what differs.
#
# Recipe: the paper states no hyper-parameters of its own for multi-task
# training, so this is the single-task COCO recipe of
# _base_/schedules/vitpose_adamw_210e.py (AdamW lr 5e-4, wd 0.1, layer decay
# 0.75 for B, warm-up 500 iterations, steps at 170/200 of 210 epochs, grad
# clip 1.0, 64 per GPU x 8) with MAE init and drop path 0.3, on the plain
# concatenation of the datasets (as the official multi-dataset configs),
# every sample once per epoch; the persons of an image are sampled in a row
# (ViTPoseImageGroupedSampler, as the COCO recipe: one decode per image),
# where the official shuffle draws each batch from the whole mixture.
#
# Every val/test run evaluates every dataset with its own metric, prefixed by
# its name (coco/AP, aic/AP, mpii/PCK); the best checkpoint is kept by
# coco/AP (_base_/default_runtime.py). Split the trained model into one
# single-dataset checkpoint per dataset with
# tools/model_converters/split_multi_dataset.py (configs/README.md).
_base_ = [
    '../../../_base_/schedules/vitpose_adamw_210e.py',
    '../../../_base_/datasets/multi_dataset_topdown_256x192.py',
    '../../../_base_/models/vitpose-base_classic_256x192.py',
]

# Read by MMPose's inferencers; pick one dataset's head to infer with
# (vitpose_plugin.apis.select_dataset, tools/demo/topdown_demo.py --dataset).
dataset_type = 'ViTPoseDatasetMixture'
# MMPose's init_model and MMPoseInferencer read one dataset from a config
# (the train dataset's metainfo, the test dataset's pipeline): the mixtures
# name the first dataset's (COCO), so they infer with its head, the default.
first_dataset_metainfo = dict(from_file='configs/_base_/datasets/coco.py')

# Keypoints of each dataset of the base's blocks (each head's out_channels).
num_keypoints = dict(
    coco=17, aic=14, mpii=16, crowdpose=14, ap10k=17, apt36k=17,
    wholebody=133)
# What a size changes in the backbone (as the COCO configs of that size):
# the size configs take their `model.backbone` from here and set their layer
# decay and the heads' in_channels (the backbone width).
vit_backbones = {
    size: dict(
        arch=size,
        drop_path_rate=drop_path_rate,
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            f'pretrained_models/mae_pretrain_vit_{size}_20230913.pth'))
    for size, drop_path_rate in [('small', 0.1), ('large', 0.5),
                                 ('huge', 0.55)]
}
# MAE ViT-H/14 kernels go zero-padded into the 16x16 patch embedding (the
# ring trains, as in the official recipe).
vit_backbones['huge']['patch_kernel_size'] = 14

# The mixture: its order is the dataset index (and the heads' order).
dataset_names = ['coco', 'aic', 'mpii']
train_dataloader = dict(
    dataset=dict(
        type='ViTPoseDatasetMixture',
        datasets=[_base_[f'{name}_train'] for name in dataset_names],
        names=dataset_names,
        metainfo=first_dataset_metainfo))
# Fixed per-dataset counts in every batch instead of plain concatenation
# (MMPose's sampler; example ratios, not from the paper):
# train_dataloader = dict(sampler=dict(_delete_=True,
#     type='MultiSourceSampler', batch_size=64, source_ratio=[2, 1, 1]))
val_dataloader = dict(
    dataset=dict(
        type='ViTPoseDatasetMixture',
        datasets=[_base_[f'{name}_val'] for name in dataset_names],
        names=dataset_names,
        pipeline=_base_.coco_val['pipeline']))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='ViTPoseMultiDatasetEvaluator',
    metrics={name: _base_[f'{name}_metric']
             for name in dataset_names})
test_evaluator = val_evaluator

# The single-dataset ViTPose-B of the model base, with one head per dataset.
model = dict(
    _delete_=True,
    type='ViTPoseMultiDatasetEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.model.backbone,
    heads={
        name: dict(_base_.model.head, out_channels=num_keypoints[name])
        for name in dataset_names
    },
    test_cfg=_base_.model.test_cfg)
