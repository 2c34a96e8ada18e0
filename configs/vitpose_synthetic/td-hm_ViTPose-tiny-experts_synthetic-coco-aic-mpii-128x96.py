# Multi-dataset evidence (docs/multi_dataset.md): as the multi-head run, with
# ViTPose++ expert FFNs: every block's MLP keeps 128 - 32 shared outputs and
# adds 32 from one expert per dataset (num_experts=3, expert_dims=32: a
# quarter of the width, as ViTPose++-B's 192 of 768).
_base_ = ['./td-hm_ViTPose-tiny-multi-head_synthetic-coco-aic-mpii-128x96.py']

model = dict(backbone=dict(num_experts=3, expert_dims=32))
