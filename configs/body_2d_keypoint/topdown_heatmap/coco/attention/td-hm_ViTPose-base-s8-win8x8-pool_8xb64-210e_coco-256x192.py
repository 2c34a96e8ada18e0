# Attention-type ablation (paper sec. 3.3 / 4.4): ViTPose-B on COCO 256x192
# with 1/8 feature maps (overlapping 16x16 patches at stride 8, padding 4:
# a 32x24 token grid, as the official patch-embedding ratio 2) and
# pooling-window attention (each window also attends to pooled
# summaries of all windows), 8x8.
# One 2x deconvolution stage brings 32x24 features to the 64x48 heatmaps.
_base_ = ['../td-hm_ViTPose-base_8xb64-210e_coco-256x192.py']

model = dict(
    backbone=dict(
        patch_stride=8,
        patch_padding=4,
        attn_types='pool_window',
        attn_cfg=dict(window_size=(8, 8))),
    head=dict(deconv_out_channels=(256, ), deconv_kernel_sizes=(4, )))
