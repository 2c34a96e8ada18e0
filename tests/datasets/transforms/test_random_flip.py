import numpy as np
from mmpose.datasets.transforms import RandomFlip, RandomHalfBody

from vitpose_plugin.datasets import ViTPoseRandomFlip, ViTPoseRandomHalfBody
from vitpose_plugin.datasets.sample_draws import DRAWS_KEY


def _sample(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    visible = (rng.random((1, 17)) < 0.8).astype(np.float32)
    return dict(img=np.zeros((40, 30, 3), np.uint8), img_shape=(40, 30),
                bbox=np.array([[2., 3., 20., 30.]], np.float32),
                bbox_center=np.array([[11., 16.5]], np.float32),
                bbox_scale=np.array([[18., 27.]], np.float32),
                keypoints=rng.random((1, 17, 2)).astype(np.float32) * 30,
                keypoints_visible=visible,
                flip_indices=[0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14,
                              13, 16, 15],
                upper_body_ids=list(range(11)),
                lower_body_ids=list(range(11, 17)))


def _outcome(results: dict) -> tuple:
    return (results['flip'], results['bbox_center'].round(4).tobytes(),
            results['bbox_scale'].round(4).tobytes())


def test_same_draws_as_mmpose_from_the_same_stream():
    """Drawing from ``np.random`` (no sample generator), the plugin's flip
    and half body make MMPose's decisions draw for draw: same
    distribution."""
    for ours, theirs in ((ViTPoseRandomFlip(prob=0.5),
                          RandomFlip(prob=0.5)),
                         (ViTPoseRandomHalfBody(prob=0.5),
                          RandomHalfBody(prob=0.5))):
        np.random.seed(3)
        mine = [ours(_sample(i)) for i in range(60)]
        np.random.seed(3)
        reference = [theirs(_sample(i)) for i in range(60)]
        key = 'flip' if 'flip' in mine[0] else 'bbox_scale'
        values = [np.asarray(r[key]).tobytes() for r in mine]
        assert values == [np.asarray(r[key]).tobytes() for r in reference]
        assert len(set(values)) > 1  # both outcomes occur


def test_sample_generator_decides():
    """With ``results['sample_draws']`` the outcome is the generator's,
    whatever NumPy's global state."""
    transforms = [ViTPoseRandomHalfBody(prob=0.5),
                  ViTPoseRandomFlip(prob=0.5)]

    def run(seed: int, global_seed: int) -> list:
        np.random.seed(global_seed)
        outcomes = []
        for i in range(30):
            results = dict(_sample(i),
                           **{DRAWS_KEY: np.random.default_rng([seed, i])})
            for transform in transforms:
                results = transform(results)
            outcomes.append(_outcome(results))
        return outcomes

    assert run(0, global_seed=1) == run(0, global_seed=2)
    assert run(0, global_seed=1) != run(1, global_seed=1)


def test_direction_is_numpy_choice_of_the_same_draw():
    """The direction is what ``choice(directions, p=probs)`` (MMPose's
    draw) gives from the same generator state, for a Generator and for
    NumPy's global RandomState, and leaves both in the same state."""
    cases = [(0.5, 'horizontal'), (0.3, 'horizontal'),
             ([0.2, 0.3, 0.1], ['horizontal', 'vertical', 'diagonal'])]
    for prob, direction in cases:
        transform = ViTPoseRandomFlip(prob=prob, direction=direction)
        directions = ([direction] if isinstance(direction, str)
                      else direction) + [None]
        probs = (prob + [1 - sum(prob)] if isinstance(prob, list) else
                 [prob, 1 - prob])
        ours, expected = np.random.default_rng(7), np.random.default_rng(7)
        np.random.seed(7)
        legacy = [np.random.choice(directions, p=probs) for _ in range(200)]
        np.random.seed(7)
        for i in range(200):
            transform.draws = ours
            assert transform._choose_direction() == \
                expected.choice(directions, p=probs), (prob, i)
            del transform.draws  # the class's np.random again
            assert transform._choose_direction() == legacy[i], (prob, i)
        assert ours.random() == expected.random()
