"""Password hashing (Argon2id) and key wrapping (AES-256-GCM) for key slots."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_MEMORY_KIB = 64 * 1024  # DESIGN.md: at least 64 MiB per guess
TARGET_SECONDS = 0.5
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


DEFAULT_PARAMS = KdfParams(time_cost=3, memory_kib=MIN_MEMORY_KIB, parallelism=2)


class KdfCostError(ValueError):
    """Argon2id parameters beyond the caps: refused before deriving anything."""


def derive_key(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    if not params.within_limits():
        raise KdfCostError("KDF parameters out of range")
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def tune_params(target_seconds: float = TARGET_SECONDS, max_time_cost: int = 32) -> KdfParams:
    """Pick Argon2id cost so one guess takes about ``target_seconds`` on this machine.

    Memory stays at 64 MiB (the floor) and the iteration count grows. One and three passes
    are each timed three times (fastest counts, so a busy moment does not inflate the cost);
    their difference gives the cost of a pass apart from filling the memory. A slow machine
    still gets the floor rather than anything weaker.
    """

    def fastest(time_cost: int) -> float:
        params = KdfParams(time_cost=time_cost, memory_kib=MIN_MEMORY_KIB, parallelism=2)
        salt = os.urandom(SALT_BYTES)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            derive_key(b"calibration", salt, params)
            best = min(best, time.perf_counter() - start)
        return best

    one, three = fastest(1), fastest(3)
    per_pass = max((three - one) / 2, 1e-3)
    fixed = max(one - per_pass, 0.0)
    time_cost = max(2, min(max_time_cost, round((target_seconds - fixed) / per_pass)))
    return KdfParams(time_cost=time_cost, memory_kib=MIN_MEMORY_KIB, parallelism=2)


def wrap(kek: bytes, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(kek).encrypt(nonce, plaintext, associated)


def unwrap(kek: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes | None:
    """The plaintext, or None when the key is wrong or anything was altered."""
    try:
        return AESGCM(kek).decrypt(nonce, ciphertext, associated)
    except (InvalidTag, ValueError):  # ValueError: a key or nonce of the wrong size
        return None
