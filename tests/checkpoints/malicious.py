"""A crafted checkpoint whose unpickling would write a marker file."""
import os.path as osp
from typing import Dict, Optional

import torch
from torch import Tensor


class WritesMarker:
    """Pickles as a call of ``exec`` that creates ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f'open({self.path!r}, "w").write("code ran")', ))


def save_malicious_checkpoint(path: str,
                              state_dict: Optional[Dict[str, Tensor]] = None,
                              ) -> str:
    """Write a checkpoint at ``path`` that looks like an mmengine one (real
    tensors, if given) and hides the payload in its meta; returns the marker
    path its unpickling would create."""
    marker = osp.join(osp.dirname(osp.abspath(path)), 'MARKER_code_ran')
    torch.save(dict(state_dict=state_dict or {'w': torch.zeros(1)},
                    meta=dict(note=WritesMarker(marker))), path)
    return marker
