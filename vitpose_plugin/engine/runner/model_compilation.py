"""``torch.compile`` of a pose model's compute modules, in place."""
from typing import List, Union

from torch import nn

#: Attribute names of the modules that are compiled (heads of a
#: multi-dataset model live in ``heads``).
COMPILED_NAMES = ('backbone', 'neck', 'head')


def compile_pose_model(model: nn.Module, compile_cfg: Union[bool,
                                                            dict]) -> List[str]:
    """Compile the backbone, neck and head(s) of ``model`` in place.

    Each module is compiled with ``nn.Module.compile``, so parameter names
    (and so checkpoints) are unchanged and the pose estimator's Python code
    (data samples, codecs, losses) stays eager. Modules already compiled are
    not compiled again, so calling it again is harmless.

    Args:
        model (nn.Module): A pose estimator (or a distiller holding some).
        compile_cfg (bool | dict): ``torch.compile`` arguments; True for
            the defaults, False for nothing.

    Returns:
        list[str]: The names of the compiled modules.
    """
    if compile_cfg is False or compile_cfg is None:
        return []
    kwargs = {} if compile_cfg is True else dict(compile_cfg)
    compiled: List[str] = []
    for name, module in model.named_modules():
        parts = name.split('.')
        wanted = parts[-1] in COMPILED_NAMES or (
            len(parts) > 1 and parts[-2] == 'heads')
        # a head's submodule named e.g. 'head' is compiled with its parent
        nested = any(name.startswith(done + '.') for done in compiled)
        if not wanted or nested:
            continue
        if getattr(module, '_compiled_call_impl', None) is None:
            module.compile(**kwargs)
        compiled.append(name)
    return compiled
