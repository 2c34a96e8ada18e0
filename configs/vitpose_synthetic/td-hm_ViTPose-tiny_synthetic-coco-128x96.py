# Multi-dataset evidence (docs/multi_dataset.md), the 'coco' dataset trained
# alone: COCO-17 figures, 8,000 train instances: 2 epochs
# (2,000 iterations of batch 8, the budget of every run of the comparison).
# Val: OKS AP on its own 300 val instances, logged as 'coco/AP'.
_base_ = ['./_base_/synthetic_multi_dataset_128x96.py']

max_epochs = 2
train_cfg = dict(by_epoch=True, max_epochs=max_epochs,
                 val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.backbone}},
    head={{_base_.coco_head}},
    test_cfg={{_base_.model_test_cfg}})

train_dataloader = dict(dataset={{_base_.coco_train}})
val_dataloader = dict(dataset={{_base_.coco_val}})
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', prefix='coco')
test_evaluator = val_evaluator
