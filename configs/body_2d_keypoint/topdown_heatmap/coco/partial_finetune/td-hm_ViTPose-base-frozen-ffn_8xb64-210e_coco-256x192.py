# Partial fine-tuning ablation (paper sec. 4.5): ViTPose-B on COCO 256x192
# with every block's feed-forward network (and its LayerNorm) frozen: the
# paper finds this costs more (the FFN is more task-specific).
# Frozen parameters get no gradients, are left out of the optimizer, and
# their modules stay in eval mode (no dropout/drop path) through train().
_base_ = ['../td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

model = dict(backbone=dict(freeze_ffn=True))
