"""Phase-2-prepared ``.ptau`` files from known secrets (:func:`offchain.snark.ptau.prepared_ptau_bytes`).

Without node: the closed-form Lagrange scalars equal a direct inverse DFT; on a dev accumulator
(our ceremony code) the prepared sections equal :func:`offchain.snark.ceremony._group_lagrange`'s
group inverse NTT; wrong secrets are refused. With node (marked ``node``): on snarkjs's own
``powersoftau new`` + ``beacon`` file, :func:`beacon_secrets` recovers the secrets and our prepared
file is byte-identical to ``snarkjs powersoftau prepare phase2``'s, and ``powersoftau verify``
accepts it.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from offchain.crypto.ntt import root_of_unity
from offchain.snark.ceremony import _group_lagrange, contribute_with_secrets, new_accumulator
from offchain.snark.ptau import (
    _lagrange_scalars,
    beacon_secrets,
    prepared_ptau_bytes,
    ptau_bytes,
    read_ptau,
)
from offchain.snark.r1cs import R

BEACON_HEX = "8d3d1d6a7e0f4b3c2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4"
POWER = 6


def _sections(data: bytes) -> dict[int, bytes]:
    n = struct.unpack_from("<I", data, 8)[0]
    pos, out = 12, {}
    for _ in range(n):
        sid, size = struct.unpack_from("<IQ", data, pos)
        out[sid] = data[pos + 12 : pos + 12 + size]
        pos += 12 + size
    return out


@pytest.mark.parametrize("m", [1, 2, 8, 32])
@pytest.mark.parametrize("pad_last", [False, True])
def test_lagrange_scalars_are_an_inverse_dft(m: int, pad_last: bool) -> None:
    tau = 123456789
    v = [pow(tau, k, R) for k in range(m)]
    if pad_last:
        v[-1] = 0
    w_inv = pow(root_of_unity(m), -1, R)
    m_inv = pow(m, -1, R)
    want = [m_inv * sum(v[k] * pow(w_inv, i * k, R) for k in range(m)) % R for i in range(m)]
    assert _lagrange_scalars(tau, m, pad_last) == want


def test_dev_accumulator_sections_match_group_intt() -> None:
    power, tau, alpha, beta = 4, 77, 1234, 98765
    acc, _ = contribute_with_secrets(new_accumulator(power), tau, alpha, beta)
    secs = _sections(prepared_ptau_bytes(ptau_bytes(acc), tau, alpha, beta))
    assert sorted(secs) == [1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]
    n, off = acc.n, acc.n - 1  # block p = power starts after 2^0 + … + 2^(power−1) points
    for sid, arr, tail, pb in (
        (12, acc.tau_g1, (2, 4), 64),
        (13, acc.tau_g2, (2, 2, 4), 128),
        (14, acc.alpha_tau_g1, (2, 4), 64),
        (15, acc.beta_tau_g1, (2, 4), 64),
    ):
        got = np.frombuffer(secs[sid][off * pb : (off + n) * pb], "<u8").reshape((n, *tail))
        assert np.array_equal(got, _group_lagrange(arr, n)), sid
    # The τ G1 top block (2N points, the last input zero) against the group NTT too.
    padded = np.concatenate([acc.tau_g1, np.zeros((1, 2, 4), np.uint64)])
    top = np.frombuffer(secs[12][(2 * n - 1) * 64 :], "<u8").reshape((2 * n, 2, 4))
    assert np.array_equal(top, _group_lagrange(padded, 2 * n))


def test_wrong_secrets_are_refused() -> None:
    acc, _ = contribute_with_secrets(new_accumulator(3), 5, 6, 7)
    data = ptau_bytes(acc)
    for secrets in ((5, 6, 8), (5, 7, 7), (4, 6, 7)):
        with pytest.raises(ValueError, match="does not match"):
            prepared_ptau_bytes(data, *secrets)


@pytest.mark.node
def test_byte_identical_to_snarkjs_prepare_phase2(tmp_path) -> None:
    from tests.node_oracle import snarkjs

    snarkjs("powersoftau", "new", "bn128", str(POWER), "pot0.ptau", cwd=tmp_path)
    snarkjs(
        "powersoftau", "beacon", "pot0.ptau", "pot1.ptau", BEACON_HEX, "10", "-n=test beacon",
        cwd=tmp_path,
    )  # fmt: skip
    snarkjs("powersoftau", "prepare", "phase2", "pot1.ptau", "theirs.ptau", cwd=tmp_path)
    secrets = beacon_secrets(bytes.fromhex(BEACON_HEX), 10)
    ours = prepared_ptau_bytes((tmp_path / "pot1.ptau").read_bytes(), *secrets)
    assert ours == (tmp_path / "theirs.ptau").read_bytes()
    (tmp_path / "ours.ptau").write_bytes(ours)
    read_ptau(tmp_path / "ours.ptau")  # and our importer still reads it
    proc = snarkjs("powersoftau", "verify", "ours.ptau", cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
