"""Argon2id's cost parameters and their caps, apart from the hashing itself.

The sign-in and setup screens name these before the hashing library loads (see
``services/vault_paths.py``); ``store/crypto.py`` does the derivation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Caps near the tuned values (64 MiB, up to 32 passes): a key file asking for more is refused
# before any derivation runs, so a doctored file cannot make the unlock screen hang or swap.
MAX_TIME_COST = 32
MAX_PARALLELISM = 8
MAX_MEMORY_KIB = 256 * 1024  # 256 MiB


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. ``memory_kib`` is in KiB, as argon2 takes it."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def within_limits(self) -> bool:
        return (
            0 < self.time_cost <= MAX_TIME_COST
            and 0 < self.parallelism <= MAX_PARALLELISM
            and 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> KdfParams:
        values = {k: data[k] for k in ("time_cost", "memory_kib", "parallelism")}
        if not all(isinstance(v, int) and v > 0 for v in values.values()):
            raise ValueError("bad KDF parameters")
        params = cls(**values)  # type: ignore[arg-type]
        if not params.within_limits():
            raise ValueError("KDF parameters out of range")
        return params
