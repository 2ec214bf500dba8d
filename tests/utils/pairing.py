"""Speed-only memoisation of py-evm's pure-Python pairing precompile for the boa suites."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def memoised_pairing() -> Iterator[None]:
    """Memoise py-evm's ecPairing work per input pair while inside; results are unchanged.

    py-evm runs the pairing precompile in pure Python (py-ecc): about 0.1 s of Miller loop and
    0.03 s of G2 subgroup check per pair, plus 0.2 s of final exponentiation per call. Caching each
    pair's (validated) Miller-loop value by its exact 192 input bytes makes a verifying key's
    constant pairs cost once, and a tampered proof cost one new pair plus the final
    exponentiation. A pair that fails validation caches its error and raises it again. Gas
    accounting is not touched (the precompile charges before it computes).
    """
    from eth_utils import ValidationError
    from eth_utils.toolz import curry

    # (`eth.precompiles.ecpairing` the attribute is the precompile function; we want the module.)
    module = importlib.import_module("eth.precompiles.ecpairing")
    original = module._process_point
    one = module.bn128.FQ12.one()
    cache: dict[bytes, tuple[bool, Any]] = {}

    @curry
    def process_point(data_buffer: bytes, exponent: Any) -> Any:
        key = bytes(data_buffer)
        if key not in cache:
            try:
                cache[key] = (True, original(data_buffer, one))
            except ValidationError as exc:
                cache[key] = (False, exc)
        ok, value = cache[key]
        if not ok:
            raise value
        return exponent * value

    module._process_point = process_point
    try:
        yield
    finally:
        module._process_point = original
