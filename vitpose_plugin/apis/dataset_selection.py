"""One dataset of a multi-dataset config, as a single-dataset inference
config (MMPose's inference APIs and inferencers read one dataset)."""
import copy
from typing import List, Union

from mmengine.config import Config, ConfigDict

MULTI_DATASET_ESTIMATOR = 'ViTPoseMultiDatasetEstimator'


def is_multi_dataset(cfg: Union[Config, ConfigDict]) -> bool:
    """Whether ``cfg.model`` is a ``ViTPoseMultiDatasetEstimator``."""
    return cfg.model.get('type') == MULTI_DATASET_ESTIMATOR


def head_names(cfg: Union[Config, ConfigDict]) -> List[str]:
    """The dataset names of a multi-dataset config (its heads, in order)."""
    return list(cfg.model.heads)


def _dataset_entry(loader_dataset: ConfigDict, name: str,
                   key: str) -> ConfigDict:
    """The config of dataset ``name`` inside a ``ViTPoseDatasetMixture``."""
    names = loader_dataset.get('names')
    datasets = loader_dataset.get('datasets')
    if not names or not datasets or len(names) != len(datasets):
        raise ValueError(
            f'{key} is not a ViTPoseDatasetMixture with `names` and '
            f'`datasets` of equal length; cannot find dataset {name!r} in it')
    if name not in names:
        raise ValueError(f'{key} has no dataset {name!r}; its datasets are '
                         f'{list(names)}')
    return copy.deepcopy(datasets[list(names).index(name)])


def select_dataset(cfg: Config, dataset: str) -> Config:
    """A copy of multi-dataset ``cfg`` that infers with head ``dataset``.

    The copy sets ``model.test_cfg.dataset`` (every sample goes to that
    head and its experts) and replaces the train/test datasets by that
    dataset's own entries of the mixture, so MMPose's ``init_model``,
    ``inference_topdown`` and ``MMPoseInferencer`` see its keypoints,
    metainfo and test pipeline. The model keeps all heads, so the
    multi-dataset checkpoint loads unchanged.

    Args:
        cfg (Config): A config whose model is a
            ``ViTPoseMultiDatasetEstimator``.
        dataset (str): A head name, e.g. ``'coco'``.

    A config this function returned already (one dataset, ``dataset``)
    comes back as a copy, so :func:`~.model_init.init_pose_model` takes
    either.

    Raises:
        ValueError: not a multi-dataset config, no such dataset, or a
            config already narrowed to another dataset.
    """
    if not is_multi_dataset(cfg):
        raise ValueError(
            f'dataset={dataset!r} selects a head of a '
            f'{MULTI_DATASET_ESTIMATOR}, but this config\'s model is '
            f'{cfg.model.get("type")!r}; leave the dataset out')
    names = head_names(cfg)
    if dataset not in names:
        raise ValueError(f'unknown dataset {dataset!r}: the model has heads '
                         f'{names}')
    narrowed_to = cfg.model.get('test_cfg', {}).get('dataset')
    if narrowed_to is not None and \
            'names' not in cfg.test_dataloader.dataset:
        if narrowed_to != dataset:
            raise ValueError(
                f'this config is narrowed to dataset {narrowed_to!r} '
                f'already; select {dataset!r} from the multi-dataset config')
        return copy.deepcopy(cfg)
    selected = copy.deepcopy(cfg)
    selected.model.setdefault('test_cfg', ConfigDict())
    selected.model.test_cfg.dataset = dataset
    test = _dataset_entry(cfg.test_dataloader.dataset, dataset,
                          'test_dataloader.dataset')
    selected.test_dataloader.dataset = test
    # MMPose reads the model's metainfo from the train dataset's config.
    selected.train_dataloader.dataset = test
    selected.dataset_type = test.type
    return selected


__all__ = ['head_names', 'is_multi_dataset', 'select_dataset']
