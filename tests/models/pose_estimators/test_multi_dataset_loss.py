"""ViTPoseMultiDatasetEstimator: routing, losses and construction."""
import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpose.codecs import UDPHeatmap
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from vitpose_plugin.structures import PoseSampleBatch

from ...tools.helpers import load_tool
from ..distillers.helpers import CODEC
from .helpers import DATASETS, build, estimator_cfg, mixed_batch

MIXED = ['b', 'a', 'c', 'b', 'a']  # sorted: a a b b c


def record_head_calls(model, method):
    """Wrap ``method`` of every head to record the sample ids it gets."""
    seen = {}
    for name, head in model.heads.items():
        original = getattr(head, method)

        def wrapper(feats, samples, *args, _name=name, _original=original,
                    **kwargs):
            seen[_name] = [s.metainfo['sample_id'] for s in samples]
            return _original(feats, samples, *args, **kwargs)

        setattr(head, method, wrapper)
    return seen


def head_alone(model, name, images, samples, group_sizes=None):
    """Loss of one head on its samples, computed as a single-dataset
    top-down estimator would (backbone on those images only)."""
    kwargs = {} if group_sizes is None else dict(group_sizes=group_sizes)
    feats = model.backbone(images, **kwargs)
    return model.heads[name].loss(feats, samples)


def indices_of(datasets, name):
    return [i for i, d in enumerate(datasets) if d == name]


@pytest.mark.parametrize('key', ['dataset_name', 'dataset_idx'])
def test_each_head_sees_only_its_samples(key):
    model = build()
    seen = record_head_calls(model, 'loss')
    model.loss(*mixed_batch(MIXED, key=key))
    assert seen == {'a': [1, 4], 'b': [0, 3], 'c': [2]}


@pytest.mark.parametrize('experts', [False, True])
def test_each_dataset_loss_is_its_head_alone(experts):
    model = build(experts=experts)
    images, samples = mixed_batch(MIXED)
    losses = model.loss(images, samples)
    for k, name in enumerate('abc'):
        index = indices_of(MIXED, name)
        sizes = tuple(len(index) if j == k else 0 for j in range(3))
        alone = head_alone(model, name, images[index],
                           [samples[i] for i in index],
                           sizes if experts else None)
        torch.testing.assert_close(losses[f'loss_kpt_{name}'],
                                   alone['loss_kpt'])
        torch.testing.assert_close(losses[f'acc_pose_{name}'],
                                   alone['acc_pose'])
    assert not losses['loss_kpt_a'].requires_grad


@pytest.mark.parametrize('experts', [False, True])
def test_mixed_batch_equals_split_batches(experts):
    """Same total loss and gradients: ``sum_k n_k / B * loss_k``."""
    model = build(experts=experts)
    images, samples = mixed_batch(MIXED)
    model.loss(images, samples)['loss_kpt'].backward()
    mixed = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    total = 0.
    for name in 'abc':
        index = indices_of(MIXED, name)
        part = model.loss(images[index], [samples[i] for i in index])
        assert set(part) == {'loss_kpt', f'loss_kpt_{name}',
                             f'acc_pose_{name}'}
        total = total + part['loss_kpt'] * len(index) / len(MIXED)
    total.backward()
    torch.testing.assert_close(
        model.loss(images, samples)['loss_kpt'], total)
    for name, param in model.named_parameters():
        torch.testing.assert_close(mixed[name], param.grad, msg=name)


@pytest.mark.parametrize('experts', [False, True])
def test_absent_datasets_keep_every_parameter_in_the_graph(experts):
    model = build(experts=experts)
    losses = model.loss(*mixed_batch(['a', 'a']))
    assert set(losses) == {'loss_kpt', 'loss_kpt_a', 'acc_pose_a'}
    losses['loss_kpt'].backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        if name.startswith(('heads.b.', 'heads.c.')) or (
                '.experts.1.' in name or '.experts.2.' in name):
            assert torch.count_nonzero(param.grad) == 0, name


def test_parse_losses_sums_only_the_weighted_total():
    model = build()
    losses = model.loss(*mixed_batch(MIXED))
    loss, log_vars = model.parse_losses(losses)
    torch.testing.assert_close(loss, losses['loss_kpt'])
    assert list(log_vars) == ['loss', 'loss_kpt', 'loss_kpt_a', 'acc_pose_a',
                              'loss_kpt_b', 'acc_pose_b', 'loss_kpt_c',
                              'acc_pose_c']
    expected = sum(log_vars[f'loss_kpt_{n}'] * MIXED.count(n) / len(MIXED)
                   for n in 'abc')
    torch.testing.assert_close(log_vars['loss'], expected)


def test_train_step_through_the_data_preprocessor():
    model = build(experts=True)
    images, samples = mixed_batch(MIXED)
    optim_wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(
        dict(inputs=list(images), data_samples=samples), optim_wrapper)
    assert {'loss', 'loss_kpt', 'loss_kpt_c', 'acc_pose_b'} <= set(log_vars)
    changed = {n for n, p in model.named_parameters()
               if not torch.equal(p, before[n])}
    assert 'heads.c.final_layer.weight' in changed
    assert 'backbone.blocks.0.mlp.experts.2.weight' in changed


def test_init_weights_reaches_every_head():
    torch.manual_seed(0)
    model = MODELS.build(estimator_cfg())
    model.init_weights()
    for head in model.heads.values():
        # The classic head's init_cfg: Normal(std=0.001), bias 0.
        assert head.final_layer.weight.std() < 0.01
        assert torch.count_nonzero(head.final_layer.bias) == 0


def test_state_dict_keys():
    keys = build(experts=True).state_dict()
    assert 'heads.b.final_layer.weight' in keys
    assert 'backbone.blocks.0.mlp.experts.2.weight' in keys
    assert not any(k.startswith('head.') for k in keys)


def test_missing_dataset_in_training_is_a_clear_error():
    model = build(dataset='a')  # test_cfg.dataset does not apply to loss
    with pytest.raises(ValueError, match="neither dataset_name nor"):
        model.loss(*mixed_batch(['a', None]))


@pytest.mark.parametrize('cfg, match', [
    (dict(heads={}), 'non-empty dict'),
    (dict(heads={'a.b': {}}), "without '.'"),
    (dict(test_cfg=dict(dataset='d')), r"test_cfg.dataset='d' is not one "
     r"of the heads \['a', 'b', 'c'\]"),
])
def test_bad_configs_are_clear_errors(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(estimator_cfg(), **cfg))


def test_expert_count_must_match_the_heads():
    cfg = estimator_cfg(experts=True)
    cfg['backbone']['num_experts'] = 2
    with pytest.raises(ValueError, match='num_experts=2 but there are 3'):
        MODELS.build(cfg)


def test_keypoint_batch_draws_each_group_with_its_codec():
    """A PoseSampleBatch of padded keypoints (as vitpose_collate and
    ViTPoseDataPreprocessor give it) survives sorting and slicing by dataset:
    the losses equal those of MMPose's per-sample GenerateTarget targets."""
    model = build()
    images, samples = mixed_batch(MIXED)
    codec = UDPHeatmap(**{k: v for k, v in CODEC.items() if k != 'type'})
    rng = np.random.default_rng(0)
    counts = [DATASETS[name][0] for name in MIXED]
    keypoints = torch.zeros(len(MIXED), max(counts), 2)
    visible = torch.zeros(len(MIXED), max(counts))
    for row, (sample, count) in enumerate(zip(samples, counts)):
        points = rng.uniform(0, 47, (1, count, 2)).astype(np.float32)
        seen = (rng.uniform(size=(1, count)) > 0.2).astype(np.float32)
        encoded = codec.encode(points, seen)
        sample.gt_fields.heatmaps = torch.from_numpy(encoded['heatmaps'])
        sample.gt_instance_labels.keypoint_weights = torch.from_numpy(
            encoded['keypoint_weights'])
        keypoints[row, :count] = torch.from_numpy(points[0])
        visible[row, :count] = torch.from_numpy(seen[0])
    expected = model.loss(images, samples)
    stripped = [PoseDataSample(metainfo=s.metainfo) for s in samples]
    batch = PoseSampleBatch(stripped, keypoints=keypoints,
                            keypoints_visible=visible,
                            keypoint_counts=counts)
    losses = model.loss(images, batch)
    assert set(losses) == set(expected)
    for key, value in expected.items():
        torch.testing.assert_close(losses[key], value, atol=1e-6, rtol=1e-5)


def indexed_batch(datasets):
    """``mixed_batch`` as ViTPoseDataPreprocessor gives a mixture: a
    PoseSampleBatch of the images and each sample's dataset index."""
    images, samples = mixed_batch(MIXED)
    return images, PoseSampleBatch(
        samples, inputs=images, dataset_index=torch.tensor(datasets),
        host_dataset_index=datasets)


def test_a_batch_is_grouped_by_its_dataset_index():
    """The dataset index tensor sorts the batch on the device: the loss
    step copies nothing to the device (no order index) and each head gets
    its samples with their own images."""
    model = build()
    images, batch = indexed_batch(['abc'.index(name) for name in MIXED])
    grouping = model.group(len(batch), batch)
    assert grouping.order == [1, 4, 0, 3, 2] and grouping.sizes == (2, 2, 1)
    assert grouping.index.tolist() == grouping.order
    sorted_images, sorted_batch = model._sorted(images, batch, grouping)
    assert sorted_images is sorted_batch.inputs
    torch.testing.assert_close(sorted_images, images[grouping.order])
    seen = record_head_calls(model, 'loss')
    counter = load_tool('train_throughput', 'analysis') \
        .HostDeviceTrafficCounter('cpu')
    with counter:
        model.loss(images, batch)
    assert counter.total_transfers == 0, dict(counter.transfers)
    assert seen == {'a': [1, 4], 'b': [0, 3], 'c': [2]}


def test_sample_names_win_over_a_disagreeing_dataset_index():
    """A mixture whose dataset order differs from the heads' is grouped by
    the samples' dataset_name (the index is then copied from the host)."""
    model = build()
    _, batch = indexed_batch(['cba'.index(name) for name in MIXED])
    grouping = model.group(len(batch), batch)
    assert grouping.order == [1, 4, 0, 3, 2] and grouping.index is None
