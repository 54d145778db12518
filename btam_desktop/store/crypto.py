"""Password hashing (Argon2id) and key wrapping (AES-256-GCM) for key slots."""

from __future__ import annotations

import os
import time

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Re-exported: callers name the parameters and their caps as crypto.KdfParams etc.
from btam_desktop.store.kdf_params import MAX_MEMORY_KIB as MAX_MEMORY_KIB
from btam_desktop.store.kdf_params import MAX_PARALLELISM as MAX_PARALLELISM
from btam_desktop.store.kdf_params import MAX_TIME_COST as MAX_TIME_COST
from btam_desktop.store.kdf_params import KdfParams as KdfParams

DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_MEMORY_KIB = 64 * 1024  # DESIGN.md: at least 64 MiB per guess
TARGET_SECONDS = 0.5
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
