# Multi-dataset evidence (docs/multi_dataset.md): the expert-FFN joint run at
# three times the budget, every dataset seeing as many of its own crops as
# alone (see the multi-head 3x config).
_base_ = [
    './td-hm_ViTPose-tiny-multi-head-3x_synthetic-coco-aic-mpii-128x96.py'
]

model = dict(backbone=dict(num_experts=3, expert_dims=32))
