# Multi-dataset evidence (docs/multi_dataset.md): the multi-head joint run
# at three times the budget (6,000 iterations of batch 8), so that every
# dataset gets as many of its own crops as when trained alone (16,000) plus
# 32,000 of the other two: each epoch draws 8,000 coco, 8,000 aic and 8,000
# mpii instances (sample_ratio_factor 1, 8, 8). Asks whether the other
# datasets help at equal exposure to a dataset's own data, as multi-task
# training does when it keeps each dataset's epochs.
_base_ = ['./td-hm_ViTPose-tiny-multi-head_synthetic-coco-aic-mpii-128x96.py']

total_iters = 6000
param_scheduler = [
    dict(type='LinearLR', begin=0, end=200, start_factor=0.01,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=total_iters,
         T_max=total_iters, eta_min=1e-5, by_epoch=False),
]
train_dataloader = dict(dataset=dict(sample_ratio_factor=[1.0, 8.0, 8.0]))
