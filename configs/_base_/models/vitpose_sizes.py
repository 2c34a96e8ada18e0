# The ViT sizes of the ViTPose configs, for a size variant of a ViTPose-B
# config: `model = dict(backbone=_base_.vit_backbones.<size>, head=dict(
# in_channels=_base_.vit_widths.<size>))`. Each entry sets the architecture
# and its MAE initialisation; drop path and layer decay belong to the
# recipe and are set by each config.
vit_backbones = {
    size: dict(
        arch=size,
        init_cfg=dict(
            checkpoint='https://download.openmmlab.com/mmpose/v1/'
            f'pretrained_models/mae_pretrain_vit_{size}_20230913.pth'))
    for size in ('small', 'base', 'large', 'huge')
}
# MAE ViT-H/14 kernels go zero-padded into the 16x16 patch embedding (the
# ring trains, as in the official recipe).
vit_backbones['huge']['patch_kernel_size'] = 14
vit_widths = dict(small=384, base=768, large=1024, huge=1280)
