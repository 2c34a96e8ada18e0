"""Whether a device computes bfloat16 natively (not by emulation)."""
from typing import Tuple

import torch


def native_bfloat16(device: torch.device) -> Tuple[bool, str]:
    """Whether ``device`` computes bfloat16 in hardware, and why.

    CPUs count when they have AMX tiles or AVX512-BF16 (oneDNN runs
    bfloat16 matrix products and convolutions on them); elsewhere PyTorch
    emulates bfloat16 and autocast only adds casts. CUDA devices count when
    ``torch.cuda.is_bf16_supported()`` says so (Ampere and newer).

    Args:
        device (torch.device): The device the tensors live on.

    Returns:
        tuple: ``(native, reason)``, the reason a short phrase for the log.
    """
    if device.type == 'cuda':
        if torch.cuda.is_bf16_supported(including_emulation=False):
            return True, f'{torch.cuda.get_device_name(device)} computes it'
        return False, f'{torch.cuda.get_device_name(device)} emulates it'
    if device.type == 'cpu':
        features = [
            name for name, present in (
                ('AMX', torch.cpu._is_amx_tile_supported()),
                ('AVX512-BF16', torch.cpu._is_avx512_bf16_supported()))
            if present
        ]
        if features:
            return True, f'the CPU has {" and ".join(features)}'
        return False, 'the CPU has neither AMX nor AVX512-BF16'
    return False, f'no native bfloat16 check for {device.type!r} devices'
