"""MMPose's CocoDataset over a generated (and cached) synthetic split."""
import logging
import os
import os.path as osp
from typing import Optional

import mmpose
from mmengine.logging import print_log
from mmpose.datasets import CocoDataset
from mmpose.registry import DATASETS

from .synthetic_pose import SyntheticPoseParams, ensure_synthetic_coco

#: The plugin's package folder (``site-packages/vitpose_plugin`` once
#: installed; ``mim`` runs configs from its ``.mim/configs``).
PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: Folders that hold installed packages.
INSTALL_DIR_NAMES = ('site-packages', 'dist-packages')


def user_cache_root() -> str:
    """``$XDG_CACHE_HOME/vitpose_plugin/synthetic_coco``
    (``~/.cache/vitpose_plugin/synthetic_coco`` without XDG_CACHE_HOME)."""
    base = os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache')
    return osp.join(base, 'vitpose_plugin', 'synthetic_coco')


def is_inside_installed_package(path: str) -> bool:
    """Whether ``path``, symbolic links resolved, lies in the plugin's
    package folder or in a ``site-packages``/``dist-packages`` folder."""
    real = osp.realpath(path)
    package = osp.realpath(PACKAGE_DIR)
    return (real == package or real.startswith(package + os.sep)
            or any(part in INSTALL_DIR_NAMES for part in real.split(os.sep)))


def resolve_cache_root(cache_root: Optional[str] = None) -> str:
    """The directory of generated splits: ``cache_root`` (absolute), or
    :func:`user_cache_root` when None or when ``cache_root`` lies inside an
    installed package (a config run from the installed package, as ``mim
    train vitpose_plugin CONFIG`` does: its ``'{{ fileDirname }}/..'``
    paths point into site-packages, where pip does not expect files), the
    latter logged.

    Args:
        cache_root (str, optional): Absolute directory. Defaults to None.

    Raises:
        ValueError: a relative ``cache_root``, which would depend on the
            directory the job starts in.
    """
    if cache_root is None:
        return user_cache_root()
    if not osp.isabs(cache_root):
        raise ValueError(
            f'cache_root={cache_root!r} is relative, so it would depend on '
            f'the directory the job starts in; give an absolute path, or '
            f"write '{{{{ fileDirname }}}}/{cache_root}' in the config to "
            f"resolve it against the config file's folder")
    if is_inside_installed_package(cache_root):
        print_log(
            f'synthetic data: cache_root {osp.normpath(cache_root)} lies '
            f'inside an installed package (a config run from the installed '
            f'vitpose_plugin, e.g. by mim); using {user_cache_root()} '
            f'instead',
            logger='current', level=logging.INFO)
        return user_cache_root()
    return cache_root


def keypoint_set_metainfo(keypoint_set: str) -> Optional[dict]:
    """MMPose's metainfo file of a keypoint set (names, flip pairs, OKS
    sigmas): ``{'from_file': .../aic.py}``; None for ``'coco'`` (the
    class's own COCO metainfo).

    Raises:
        FileNotFoundError: neither an installed MMPose (``.mim/configs``)
            nor a source checkout of it holds the file.
    """
    if keypoint_set == 'coco':
        return None
    package = osp.dirname(mmpose.__file__)
    relative = osp.join('configs', '_base_', 'datasets', f'{keypoint_set}.py')
    for path in (osp.join(package, '.mim', relative),
                 osp.join(osp.dirname(package), relative)):
        if osp.isfile(path):
            return dict(from_file=path)
    raise FileNotFoundError(
        f"MMPose's metainfo file of keypoint_set={keypoint_set!r} "
        f'({relative}) is neither under {package}/.mim nor in a source '
        "checkout; pass the dataset's `metainfo` explicitly")


@DATASETS.register_module()
class SyntheticCocoDataset(CocoDataset):
    """``CocoDataset`` over synthetic figures, generated on first use.

    The split is written to ``<cache_root>/<name>-v<version>-<hash>/`` (see
    :func:`ensure_synthetic_coco`) when missing (distributed ranks may all
    generate; the first complete copy wins), so a plain
    ``tools/train.py CONFIG`` works on a fresh clone. All other arguments
    (``data_mode``, ``pipeline``, ``test_mode``...) are ``CocoDataset``'s.

    Args:
        generator (dict): ``SyntheticPoseParams`` fields, e.g.
            ``dict(seed=0, num_instances=2000)``. Defaults to ``{}``.
        cache_root (str, optional): Absolute directory holding generated
            splits (see :func:`resolve_cache_root`). Defaults to None (the
            user's cache directory).
        name (str): Readable prefix of the split's directory.
            Defaults to ``'split'``.
        keypoint_set (str): The figures' labels: ``'coco'`` (17),
            ``'aic'`` (14) or ``'mpii'`` (16); the metainfo (names, flip
            pairs, OKS sigmas) is then MMPose's file of that dataset unless
            ``metainfo`` is given. Defaults to ``'coco'``.
        **kwargs: Passed to ``CocoDataset``; ``ann_file``, ``data_root`` and
            ``data_prefix`` are set here and may not be given.
    """

    def __init__(self,
                 generator: Optional[dict] = None,
                 cache_root: Optional[str] = None,
                 name: str = 'split',
                 keypoint_set: str = 'coco',
                 **kwargs) -> None:
        given = {'ann_file', 'data_root', 'data_prefix'} & set(kwargs)
        if given:
            raise TypeError(f'{type(self).__name__} sets {sorted(given)} '
                            'itself; choose the data with `generator`')
        generator = dict(generator or {})
        if 'keypoint_set' in generator:
            raise TypeError(
                f"{type(self).__name__} takes keypoint_set as its own "
                f"argument (it also picks the metainfo); move it out of "
                f"`generator`")
        self.params = SyntheticPoseParams(
            **generator, keypoint_set=keypoint_set)
        if kwargs.get('metainfo') is None:
            kwargs['metainfo'] = keypoint_set_metainfo(keypoint_set)
        self.dataset_dir = ensure_synthetic_coco(
            resolve_cache_root(cache_root), self.params, name)
        super().__init__(
            ann_file=osp.join(self.dataset_dir, 'annotations.json'),
            data_prefix=dict(img=osp.join(self.dataset_dir, 'images') + '/'),
            **kwargs)
