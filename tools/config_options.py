"""Config helpers for the command-line tools."""
from typing import Any, Optional

from mmengine.config import Config


def _rebase(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new + value[len(old):] if value.startswith(old) else value
    if isinstance(value, dict):
        return type(value)({k: _rebase(v, old, new) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_rebase(v, old, new) for v in value)
    return value


def merge_cfg_options(cfg: Config, options: Optional[dict]) -> Config:
    """Merge ``--cfg-options`` into ``cfg``; ``data_root`` moves every path.

    Configs compute their dataset, annotation and detection-box paths from a
    top-level ``data_root`` when they are parsed, so overriding only that key
    would change nothing. When ``options`` sets ``data_root``, every string in
    the config that starts with the old root is rebased onto the new one, so
    ``--cfg-options data_root=/data/coco/`` alone points a config at a copy of
    its dataset. Other options are merged as usual and win over the rebase.

    Args:
        cfg (Config): The parsed config, updated in place.
        options (dict, optional): Parsed ``--cfg-options``.

    Returns:
        Config: ``cfg``.
    """
    if not options:
        return cfg
    options = dict(options)
    new_root = options.pop('data_root', None)
    if new_root is not None:
        old_root = cfg.get('data_root')
        if not old_root:
            raise KeyError('--cfg-options data_root=... needs a config with '
                           'a top-level data_root to replace')
        if old_root.endswith('/') and not new_root.endswith('/'):
            new_root += '/'
        rebased = _rebase(cfg.to_dict(), old_root, new_root)
        rebased['data_root'] = new_root
        cfg.merge_from_dict(rebased, allow_list_keys=False)
    cfg.merge_from_dict(options)
    return cfg
