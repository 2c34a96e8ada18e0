# Multi-dataset evidence (docs/multi_dataset.md): coco, aic and mpii trained
# jointly, a shared backbone and one head per dataset
# (ViTPoseMultiDatasetEstimator), at the budget of each single-dataset run:
# 2,000 iterations of batch 8. Each epoch draws 4,000 coco, 2,000 aic and
# 2,000 mpii instances (sample_ratio_factor 0.5, 2, 2 of 8,000, 1,000,
# 1,000), so a batch holds on average 4 coco, 2 aic and 2 mpii crops.
# Val: each dataset's OKS AP, logged as 'coco/AP', 'aic/AP', 'mpii/AP'.
_base_ = ['./_base_/synthetic_multi_dataset_128x96.py']

max_epochs = 2
dataset_type = 'ViTPoseDatasetMixture'
dataset_names = ['coco', 'aic', 'mpii']
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))

# Heads in dataset-index order (the order of the mixture).
model = dict(
    type='ViTPoseMultiDatasetEstimator',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.backbone}},
    heads=dict(
        coco={{_base_.coco_head}},
        aic={{_base_.aic_head}},
        mpii={{_base_.mpii_head}}),
    test_cfg={{_base_.model_test_cfg}})

train_dataloader = dict(
    dataset=dict(
        type='ViTPoseDatasetMixture',
        datasets=[
            {{_base_.coco_train}}, {{_base_.aic_train}},
            {{_base_.mpii_train}}
        ],
        names=dataset_names,
        sample_ratio_factor=[0.5, 2.0, 2.0],
        # MMPose's init_model and MMPoseInferencer read one dataset's
        # metainfo (and pipeline, below): the first's, the default head.
        metainfo=dict(from_file='configs/_base_/datasets/coco.py')))
val_dataloader = dict(
    dataset=dict(
        type='ViTPoseDatasetMixture',
        datasets=[
            {{_base_.coco_val}}, {{_base_.aic_val}}, {{_base_.mpii_val}}
        ],
        names=dataset_names,
        pipeline={{_base_.val_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='ViTPoseMultiDatasetEvaluator',
    metrics=dict(
        coco={{_base_.metric}},
        aic={{_base_.metric}},
        mpii={{_base_.metric}}))
test_evaluator = val_evaluator
