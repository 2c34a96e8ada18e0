# ViTPose-L -> ViTPose-B with output distillation only (no knowledge token):
# MSE(S, K_t) + MSE(S, K_gt). Test the extracted student with the plain
# ViTPose-B config (td-hm_ViTPose-base_8xb64-210e_coco-256x192.py).
_base_ = ['./td-hm_ViTPose-large-to-base-distill_8xb64-210e_coco-256x192.py']

model = dict(token_checkpoint=None)
