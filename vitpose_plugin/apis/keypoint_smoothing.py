"""Keypoint smoothing along a track: the One Euro filter (Casiez, Roussel
and Vogel, CHI 2012), a low-pass filter whose cut-off rises with speed:
steady joints stop jittering, moving ones lag little."""
import math
from typing import Dict, Iterable, NamedTuple

import numpy as np


class _FilterState(NamedTuple):
    time: float
    value: np.ndarray
    speed: np.ndarray


def _smoothing_factor(cutoff: np.ndarray, elapsed: float) -> np.ndarray:
    """Exponential smoothing factor of a first-order low-pass filter."""
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / elapsed)


class KeypointSmoother:
    """One One Euro filter per track over its (K, 2) keypoints; each
    keypoint's cut-off is ``min_cutoff + beta * speed`` (its filtered
    speed in pixels per second).

    Args:
        min_cutoff (float): Cut-off (Hz) of a still keypoint: lower removes
            more jitter. Defaults to 1.0.
        beta (float): Cut-off increase per pixel/s of speed: higher lags
            less behind fast motion. Defaults to 0.01.
        speed_cutoff (float): Cut-off (Hz) of the speed estimate.
            Defaults to 1.0.
    """

    def __init__(self,
                 min_cutoff: float = 1.0,
                 beta: float = 0.01,
                 speed_cutoff: float = 1.0) -> None:
        if min(min_cutoff, speed_cutoff) <= 0 or beta < 0:
            raise ValueError(
                f'min_cutoff ({min_cutoff}) and speed_cutoff ({speed_cutoff})'
                f' must be > 0 and beta ({beta}) >= 0')
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.speed_cutoff = speed_cutoff
        self._tracks: Dict[int, _FilterState] = {}

    def __call__(self, track_id: int, keypoints: np.ndarray,
                 time: float) -> np.ndarray:
        """The smoothed ``keypoints`` (K, 2) of track ``track_id`` at
        ``time`` (seconds, increasing along a track); a track's first
        keypoints come back unchanged."""
        keypoints = np.asarray(keypoints, dtype=np.float64)
        state = self._tracks.get(track_id)
        if state is None or time <= state.time:
            smoothed, speed = keypoints, np.zeros(keypoints.shape[:-1])
        else:
            elapsed = time - state.time
            raw_speed = np.linalg.norm(
                keypoints - state.value, axis=-1) / elapsed
            alpha = _smoothing_factor(np.asarray(self.speed_cutoff), elapsed)
            speed = state.speed + alpha * (raw_speed - state.speed)
            alpha = _smoothing_factor(self.min_cutoff + self.beta * speed,
                                      elapsed)[..., None]
            smoothed = state.value + alpha * (keypoints - state.value)
        self._tracks[track_id] = _FilterState(time, smoothed, speed)
        return smoothed

    def keep_only(self, track_ids: Iterable[int]) -> None:
        """Forget the tracks not in ``track_ids`` (ended tracks)."""
        kept = set(track_ids)
        self._tracks = {k: v for k, v in self._tracks.items() if k in kept}


__all__ = ['KeypointSmoother']
