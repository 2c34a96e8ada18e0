"""Layer-wise learning-rate decay for ViT backbones (BEiT / MAE / ViTPose)."""
from collections import OrderedDict
from typing import Dict, List, Optional, Set, Tuple

from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from mmpose.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

_NORMS = (nn.LayerNorm, nn.GroupNorm, _BatchNorm)
_PARAMWISE_KEYS = {
    'layer_decay_rate', 'num_layers', 'custom_keys', 'bias_lr_mult',
    'bias_decay_mult', 'norm_decay_mult', 'flat_decay_mult'
}
_CUSTOM_KEYS = {'lr_mult', 'decay_mult'}


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class ViTPoseLayerDecayConstructor(DefaultOptimWrapperConstructor):
    """Give each transformer layer its own learning rate.

    A parameter at layer ``layer_id`` gets ``lr * layer_decay_rate ** (
    num_layers - layer_id - 1)``, as in mmpretrain's
    ``LearningRateDecayOptimWrapperConstructor``. The layer id is asked from
    the model: the nearest module above the parameter that defines
    mmpretrain's ``get_layer_depth(name) -> (layer_id, num_layers)`` answers
    (for :class:`ViTPoseBackbone` and mmpretrain's ``VisionTransformer``:
    ``num_layers`` is the number of blocks + 2; 0 embeddings, ``i + 1``
    block ``i``, ``num_layers - 1`` the final norm). Parameters outside such
    a module (the head) get scale 1.

    Weight decay follows the ViTPose rule: none on biases, on 1-D parameters
    (norms) and on the names a module lists in ``no_weight_decay()`` (the
    position embedding).

    ``paramwise_cfg`` keys (anything else is an error):

    - ``layer_decay_rate`` (float, required): the per-layer factor.
    - ``num_layers`` (int, optional): the number of blocks to decay over,
      overriding the model's (``num_layers + 2`` then replaces the model's
      layer count, as in the official ViTPose configs).
    - ``custom_keys`` (dict): ``{substring: dict(lr_mult=, decay_mult=)}``
      as in mmengine; the longest matching key wins (ties alphabetical). Its
      multipliers are applied **on top of** the layer scale and the decay
      rule.
    - ``bias_lr_mult`` (float): lr multiplier of biases. Defaults to 1.
    - ``bias_decay_mult`` / ``norm_decay_mult`` / ``flat_decay_mult``
      (float): weight-decay multipliers of biases, norm parameters and other
      1-D parameters. Each defaults to 0 (the ViTPose rule).

    Parameters with ``requires_grad=False`` (frozen) are left out. Groups are
    merged per distinct (lr, weight decay); the table of groups is logged
    once through mmengine's logger.

    Args:
        optim_wrapper_cfg (dict): The ``optim_wrapper`` config.
        paramwise_cfg (dict): See above.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        super().__init__(optim_wrapper_cfg, None)
        if self.base_lr is None:
            raise ValueError('ViTPoseLayerDecayConstructor needs an explicit '
                             'optimizer lr to scale')
        self.paramwise_cfg = self._checked_paramwise_cfg(paramwise_cfg)

    @staticmethod
    def _checked_paramwise_cfg(cfg: Optional[dict]) -> dict:
        cfg = dict(cfg or {})
        unknown = set(cfg) - _PARAMWISE_KEYS
        if unknown:
            raise KeyError(f'ViTPoseLayerDecayConstructor: unknown '
                           f'paramwise_cfg key(s) {sorted(unknown)}; '
                           f'allowed: {sorted(_PARAMWISE_KEYS)}')
        rate = cfg.get('layer_decay_rate')
        if not isinstance(rate, (int, float)) or rate <= 0:
            raise ValueError('ViTPoseLayerDecayConstructor needs '
                             'paramwise_cfg.layer_decay_rate > 0, got '
                             f'{rate!r}')
        num_layers = cfg.get('num_layers')
        if num_layers is not None and (not isinstance(num_layers, int)
                                       or num_layers <= 0):
            raise ValueError(f'paramwise_cfg.num_layers must be a positive '
                             f'int, got {num_layers!r}')
        custom_keys = cfg.get('custom_keys', {})
        if not isinstance(custom_keys, dict):
            raise TypeError(f'paramwise_cfg.custom_keys must be a dict, got '
                            f'{type(custom_keys).__name__}')
        for key, value in custom_keys.items():
            if not isinstance(value, dict) or set(value) - _CUSTOM_KEYS:
                raise KeyError(
                    f'paramwise_cfg.custom_keys[{key!r}] = {value!r}: '
                    f'only {sorted(_CUSTOM_KEYS)} are allowed')
        return cfg

    # Per-parameter rules ---------------------------------------------------
    @staticmethod
    def _depth_modules(model: nn.Module) -> List[Tuple[str, nn.Module]]:
        """Modules that answer ``get_layer_depth``, deepest name first."""
        found = [(name, module) for name, module in model.named_modules()
                 if callable(getattr(module, 'get_layer_depth', None))]
        return sorted(found, key=lambda item: -len(item[0]))

    @staticmethod
    def _no_decay_names(model: nn.Module) -> Set[str]:
        names = set()
        for prefix, module in model.named_modules():
            hook = getattr(module, 'no_weight_decay', None)
            if callable(hook):
                names |= {f'{prefix}.{name}' if prefix else name
                          for name in hook()}
        return names

    def _layer_scale(self, name: str,
                     depth_modules: List[Tuple[str, nn.Module]]) -> float:
        rate = self.paramwise_cfg['layer_decay_rate']
        for prefix, module in depth_modules:
            if not prefix or name.startswith(prefix + '.'):
                relative = name[len(prefix) + 1:] if prefix else name
                layer_id, num_layers = module.get_layer_depth(relative)
                blocks = self.paramwise_cfg.get('num_layers')
                if blocks is not None:
                    num_layers = blocks + 2
                return rate**(num_layers - layer_id - 1)
        return 1.0

    def _custom_mults(self, name: str) -> Tuple[float, float]:
        custom_keys = self.paramwise_cfg.get('custom_keys', {})
        matches = sorted((key for key in custom_keys if key in name),
                         key=lambda key: (-len(key), key))
        if not matches:
            return 1.0, 1.0
        chosen = custom_keys[matches[0]]
        return chosen.get('lr_mult', 1.0), chosen.get('decay_mult', 1.0)

    def _decay_mult(self, name: str, param: nn.Parameter, is_norm: bool,
                    no_decay: Set[str]) -> float:
        cfg = self.paramwise_cfg
        if name in no_decay:
            return 0.0
        if is_norm:
            return cfg.get('norm_decay_mult', 0.0)
        if name.endswith('.bias'):
            return cfg.get('bias_decay_mult', 0.0)
        if param.ndim == 1:
            return cfg.get('flat_decay_mult', 0.0)
        return 1.0

    def add_params(self, params: List[dict], module: nn.Module,
                   **kwargs) -> None:
        """Fill ``params`` with one group per distinct (lr, weight decay)."""
        depth_modules = self._depth_modules(module)
        no_decay = self._no_decay_names(module)
        groups: Dict[Tuple[float, float], dict] = OrderedDict()
        seen: Set[int] = set()
        for module_name, submodule in module.named_modules():
            is_norm = isinstance(submodule, _NORMS)
            for short_name, param in submodule.named_parameters(
                    recurse=False):
                name = f'{module_name}.{short_name}' if module_name \
                    else short_name
                if not param.requires_grad or id(param) in seen:
                    continue
                seen.add(id(param))
                lr_mult, decay_mult = self._custom_mults(name)
                lr_mult *= self._layer_scale(name, depth_modules)
                if name.endswith('.bias') and not is_norm:
                    lr_mult *= self.paramwise_cfg.get('bias_lr_mult', 1.0)
                decay_mult *= self._decay_mult(name, param, is_norm,
                                               no_decay)
                lr = self.base_lr * lr_mult
                weight_decay = (self.base_wd or 0.0) * decay_mult
                group = groups.setdefault(
                    (lr, weight_decay),
                    dict(params=[], names=[], lr=lr))
                if self.base_wd is not None:
                    group['weight_decay'] = weight_decay
                group['params'].append(param)
                group['names'].append(name)
        self._log_groups(groups.values())
        for group in groups.values():
            group.pop('names')
            params.append(group)

    @staticmethod
    def _log_groups(groups) -> None:
        lines = ['layer-wise lr decay parameter groups:',
                 f'{"lr":>12} {"weight_decay":>12} {"#params":>8}  first '
                 f'parameter']
        for group in groups:
            lines.append(f'{group["lr"]:>12.4e} '
                         f'{group.get("weight_decay", 0.0):>12.4e} '
                         f'{len(group["params"]):>8}  {group["names"][0]}')
        print_log('\n'.join(lines), logger='current')
