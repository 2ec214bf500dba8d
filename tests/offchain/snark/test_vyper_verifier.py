"""The generated Vyper Groth16 verifier (``offchain/snark/vyper_verifier.py``) under titanoboa.

Proofs
------
Every proof checked here is real. The main battery uses OUR stack end to end: the statements are
built with :class:`offchain.snark.r1cs.Circuit`, keyed by :func:`offchain.snark.setup.dev_setup`
(seeded) and proved by :func:`offchain.snark.prover.prove`. Two circuits: one public input (the
Rollup's shape: the batch commitment) and three. Each has two statements, the second with a zero
public input (that is what tells a ``>= r`` range check from a planted ``> r``).

The same statements written in circom (``tests/circom/vyper_n{1,3}.circom``) are compiled with
circom2 and keyed and proved by snarkjs (``-m node``): the interop check that our contract takes
snarkjs proofs and calldata (``zkey export soliditycalldata``) and has the ABI of snarkjs's
Solidity verifier. Those artefacts are made in a temporary directory per run (shared by xdist
workers through a lock); nothing binary is committed.

What is asserted
----------------
- Valid proofs verify (N = 1, N = 3; ours and snarkjs's).
- Every single tampering in :func:`_tamperings` returns ``False`` without reverting: each
  coordinate of A, B, C ±1 and +q, B's c0/c1 swapped (the classic byte-order bug), infinity,
  negated points, generators, a twist point outside G2, A and C swapped, and each public input
  +1, −1, = r, +r, 2^256−1; and each statement's proof with the other statement's inputs.
- Hypothesis: random edits of 1..3 calldata words, and random whole points, never verify; random
  well-sized calldata never verifies and never reverts; malformed calldata reverts.
- Gas: measured for N = 1 and N = 3 and printed; bounded as a regression guard; N = 1 stays under
  200k with calldata. Too little gas reverts "verifier: out of gas", and exactly the reserve
  verifies, so a small gas limit can never make a valid proof read as ``False``.

Mutation check: ``tests/mutation/vyper_verifier_mutants.py`` reruns this file against planted bugs
(selected with ``HATCHWAY_VYPER_VERIFIER_MUTANT``); each must make it fail.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import random
import re
import shutil
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boa
import pytest
from eth.exceptions import VMError
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as bn
from vyper.compiler import compile_code

from offchain.snark.vyper_verifier import (
    FQ_MODULUS,
    FR_MODULUS,
    NormalizedVerifyingKey,
    generate_vyper_verifier,
    normalize_verifying_key,
    proof_calldata,
    vk_digest,
)
from tests.node_oracle import REPO_ROOT, node_tool, run_tool
from tests.utils.pairing import memoised_pairing

Q = FQ_MODULUS
R = FR_MODULUS
U256 = 2**256
CIRCOM_DIR = REPO_ROOT / "tests" / "circom"
MUTANT_ENV = "HATCHWAY_VYPER_VERIFIER_MUTANT"

# (pA, pB, pC, pubSignals) exactly as verifyProof takes them.
Calldata = tuple[list[int], list[list[int]], list[int], list[int]]

# Input assignments of the two statements per circuit (names as in the circom files).
STATEMENTS: dict[int, tuple[dict[str, int], dict[str, int]]] = {
    1: ({"x": 15 * 3 + 5, "w": 3, "v": 5}, {"x": 0, "w": 0, "v": 0}),
    3: ({"a": 7, "b": 11, "w": 13}, {"a": 0, "b": 5, "w": 9}),
}

# Fewer examples than the profile's default: most examples cost a py-evm pairing (~0.75 s).
_EXAMPLES = max(10, settings.default.max_examples // 3)


# ---------------------------------------------------------------------------------------------
# Contract source (with an optional planted bug for the mutation check)
# ---------------------------------------------------------------------------------------------


def _verifier_source(vk: Any) -> str:
    """Generated source, with the mutant named by ``$HATCHWAY_VYPER_VERIFIER_MUTANT`` applied."""
    src = generate_vyper_verifier(vk)
    mutant = os.environ.get(MUTANT_ENV)
    if mutant:
        from tests.mutation.vyper_verifier_mutants import apply_mutant

        src = apply_mutant(mutant, src)
    return src


@dataclass
class VerifierCase:
    """A deployed verifier and real proofs of two statements for its key."""

    label: str
    vk: Any
    source: str
    contract: Any
    calldata: tuple[Calldata, Calldata]
    proofs: tuple[Any, ...] = ()  # the prover's Proof objects, when from our stack

    @property
    def n_public(self) -> int:
        return len(self.calldata[0][3])


def _deploy(
    label: str, vk: Any, calldata: tuple[Calldata, Calldata], proofs: tuple[Any, ...] = ()
) -> VerifierCase:
    src = _verifier_source(vk)
    contract = boa.loads(src, name=f"Groth16Verifier_{label}")
    return VerifierCase(label, vk, src, contract, calldata, proofs)


def _call(case: VerifierCase, cd: Calldata, **kwargs: Any) -> bool:
    return case.contract.verifyProof(*copy.deepcopy(cd), **kwargs)


@pytest.fixture(scope="module", autouse=True)
def _memoised_pairing_pairs() -> Any:
    """Memoise py-evm's pairing work per input pair for this module (speed only; results and gas
    unchanged — see tests/utils/pairing.py)."""
    with memoised_pairing():
        yield


# ---------------------------------------------------------------------------------------------
# Proofs from our own stack
# ---------------------------------------------------------------------------------------------


def _our_circuit(n_public: int) -> Any:
    """The circom test circuits rebuilt with our R1CS builder (same statements, same order)."""
    from offchain.snark.r1cs import Circuit

    c = Circuit(f"vyper_n{n_public}")
    if n_public == 1:
        x = c.public_input("x")
        w = c.private_input("w")
        v = c.private_input("v")
        t = c.mul(w, v, "t")
        c.enforce(t, w, x - v, "x = t*w + v")
    else:
        out = c.public_input("out")  # snarkjs order: the output first, then a, b
        a = c.public_input("a")
        b = c.public_input("b")
        w = c.private_input("w")
        t = c.mul(a, w, "t")
        c.enforce(t, b, out - w, "out = t*b + w")
    return c


def _our_inputs(n_public: int, statement: dict[str, int]) -> dict[str, int]:
    if n_public == 1:
        return statement
    a, b, w = statement["a"], statement["b"], statement["w"]
    return {"out": (a * w * b + w) % R, "a": a, "b": b, "w": w}


@pytest.fixture(scope="module", params=[1, 3], ids=["ours-n1", "ours-n3"])
def ours(request: pytest.FixtureRequest) -> VerifierCase:
    """Verifier for a key from our dev setup, with two proofs from our prover."""
    from offchain.snark.prover import prove
    from offchain.snark.setup import InsecureSetupWarning, dev_setup

    n = request.param
    circuit = _our_circuit(n)
    r1cs = circuit.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureSetupWarning)
        pk, vk = dev_setup(r1cs, seed=f"vyper-verifier-n{n}")
    cds, proofs = [], []
    for k, statement in enumerate(STATEMENTS[n]):
        witness = circuit.witness(_our_inputs(n, statement))
        proof = prove(pk, r1cs, witness, rng=random.Random(1000 * n + k))
        proofs.append(proof)
        cds.append(proof_calldata(proof, r1cs.public_signals(witness)))
    return _deploy(f"ours_n{n}", vk, (cds[0], cds[1]), tuple(proofs))


# ---------------------------------------------------------------------------------------------
# Proofs from snarkjs (interop)
# ---------------------------------------------------------------------------------------------


def _run(cmd: list[str], cwd: Path) -> str:
    return run_tool(cmd, cwd).stdout


def _build_snarkjs_circuit(n: int, ptau: Path, root: Path) -> None:
    snarkjs, circom = str(node_tool("snarkjs")), str(node_tool("circom2"))
    d = root / f"n{n}"
    d.mkdir()
    name = f"vyper_n{n}"
    # circom2's wasm sandbox cannot follow paths outside its directory: copy the circuit in.
    shutil.copy(CIRCOM_DIR / f"{name}.circom", d / f"{name}.circom")
    _run([circom, f"{name}.circom", "--r1cs", "--wasm", "-o", "."], d)
    _run([snarkjs, "groth16", "setup", f"{name}.r1cs", str(ptau), "c0.zkey"], d)
    _run([snarkjs, "zkey", "contribute", "c0.zkey", "c1.zkey", "--name=test", "-e=vyper"], d)
    _run([snarkjs, "zkey", "export", "verificationkey", "c1.zkey", "vk.json"], d)
    _run([snarkjs, "zkey", "export", "solidityverifier", "c1.zkey", "verifier.sol"], d)
    for k, statement in enumerate(STATEMENTS[n]):
        (d / f"in{k}.json").write_text(json.dumps({s: str(v) for s, v in statement.items()}))
        _run(
            [
                snarkjs,
                "groth16",
                "fullprove",
                f"in{k}.json",
                f"{name}_js/{name}.wasm",
                "c1.zkey",
                f"proof{k}.json",
                f"public{k}.json",
            ],
            d,
        )
        call = _run(
            [snarkjs, "zkey", "export", "soliditycalldata", f"public{k}.json", f"proof{k}.json"], d
        )
        (d / f"calldata{k}.json").write_text(f"[{call.strip()}]")


def _build_snarkjs_artefacts(root: Path) -> None:
    snarkjs = str(node_tool("snarkjs"))
    _run([snarkjs, "powersoftau", "new", "bn128", "4", "pot0.ptau"], root)
    _run(
        [
            snarkjs,
            "powersoftau",
            "contribute",
            "pot0.ptau",
            "pot1.ptau",
            "--name=test",
            "-e=hatchway",
        ],
        root,
    )
    _run([snarkjs, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau"], root)
    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(_build_snarkjs_circuit, n, root / "pot.ptau", root) for n in (1, 3)]:
            f.result()


@pytest.fixture(scope="session")
def snarkjs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory with snarkjs keys and proofs for both circuits, built once per test run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by all workers of this run
    root = base / "vyper_verifier_snarkjs"
    with open(base / "vyper_verifier_snarkjs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "done").exists():
                if root.exists():
                    shutil.rmtree(root)
                root.mkdir()
                _build_snarkjs_artefacts(root)
                (root / "done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root


@pytest.fixture(scope="module", params=[1, 3], ids=["snarkjs-n1", "snarkjs-n3"])
def snarkjs_case(request: pytest.FixtureRequest, snarkjs_dir: Path) -> VerifierCase:
    """Verifier generated from a snarkjs verification_key.json, with two snarkjs proofs."""
    d = snarkjs_dir / f"n{request.param}"
    vk = json.loads((d / "vk.json").read_text())
    cds = tuple(
        proof_calldata(
            json.loads((d / f"proof{k}.json").read_text()),
            json.loads((d / f"public{k}.json").read_text()),
        )
        for k in (0, 1)
    )
    return _deploy(f"snarkjs_n{request.param}", vk, cds)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Tampering catalogue
# ---------------------------------------------------------------------------------------------

# A cube root of unity in Fq: (β·x, y) is on the curve whenever (x, y) is (the GLV endomorphism),
# so it is a *valid* point that is not the proof's.
_BETA = pow(3, (Q - 1) // 3, Q)
assert _BETA != 1 and pow(_BETA, 3, Q) == 1


def _fq2_sqrt(a: bn.FQ2) -> bn.FQ2 | None:
    """A square root in Fq2 (q ≡ 3 mod 4: Adj & Rodríguez-Henríquez, Alg. 9), or None."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    if alpha == bn.FQ2([Q - 1, 0]):
        x = bn.FQ2([0, 1]) * x0
    else:
        x = (bn.FQ2.one() + alpha) ** ((Q - 1) // 2) * x0
    return x if x * x == a else None


def _twist_point_outside_g2() -> list[list[int]]:
    """A point on the G2 twist curve that is NOT in the order-r subgroup, in precompile order."""
    for k in range(1, 1000):
        x = bn.FQ2([k, 1])
        y = _fq2_sqrt(x**3 + bn.b2)
        if y is None:
            continue
        p = (x, y, bn.FQ2.one())
        assert bn.is_on_curve(p, bn.b2)
        if not bn.is_inf(bn.multiply(p, bn.curve_order)):
            return [[x.coeffs[1], x.coeffs[0]], [y.coeffs[1], y.coeffs[0]]]
    raise AssertionError("no twist point outside G2 found")


_TWIST_OUTSIDE_G2 = _twist_point_outside_g2()
_G2_GEN = [
    [bn.G2[0].coeffs[1], bn.G2[0].coeffs[0]],
    [bn.G2[1].coeffs[1], bn.G2[1].coeffs[0]],
]


def _tamperings(cd: Calldata, group: str) -> list[tuple[str, Calldata]]:
    """Every deliberate single-point / single-input corruption of ``cd`` in ``group``.

    ``group`` is ``"A"``, ``"B"``, ``"C"`` or ``"public"``. Each result differs from ``cd``, and
    none can verify (each changes the statement or the proof to something else).
    """
    out: list[tuple[str, Calldata]] = []

    def add(label: str, mutate: Callable[[Calldata], None]) -> None:
        new = copy.deepcopy(cd)
        mutate(new)
        assert new != cd, label
        out.append((label, new))

    def set_word(idx: tuple[int, ...], value: int) -> Callable[[Calldata], None]:
        def f(c: Calldata) -> None:
            tgt: Any = c
            for i in idx[:-1]:
                tgt = tgt[i]
            tgt[idx[-1]] = value % U256

        return f

    def get_word(idx: tuple[int, ...]) -> int:
        tgt: Any = cd
        for i in idx:
            tgt = tgt[i]
        return tgt

    if group in ("A", "C"):
        k = 0 if group == "A" else 2
        x, y = cd[k]
        for i, name in enumerate("xy"):
            for delta in (1, -1):
                add(f"{group}.{name}{delta:+d}", set_word((k, i), get_word((k, i)) + delta))
            add(f"{group}.{name}+q", set_word((k, i), get_word((k, i)) + Q))
        add(f"{group}.x=2^256-1", set_word((k, 0), U256 - 1))
        add(f"{group}=infinity", lambda c: c[k].__setitem__(slice(None), [0, 0]))
        add(f"{group}=-{group}", set_word((k, 1), Q - y))
        add(f"{group}=G1", lambda c: c[k].__setitem__(slice(None), [1, 2]))
        add(f"{group}=endo({group})", set_word((k, 0), _BETA * x % Q))
        other = 2 - k
        add(
            f"{group}<->{'C' if group == 'A' else 'A'}",
            lambda c: (
                c[k].__setitem__(slice(None), list(cd[other])),
                c[other].__setitem__(slice(None), list(cd[k])),
            ),
        )
    elif group == "B":
        names = {(0, 0): "x.c1", (0, 1): "x.c0", (1, 0): "y.c1", (1, 1): "y.c0"}
        for (i, j), name in names.items():
            for delta in (1, -1):
                add(f"B.{name}{delta:+d}", set_word((1, i, j), get_word((1, i, j)) + delta))
            add(f"B.{name}+q", set_word((1, i, j), get_word((1, i, j)) + Q))
        (x1, x0), (y1, y0) = cd[1]
        add("B.x c0<->c1", lambda c: c[1].__setitem__(0, [x0, x1]))
        add("B.y c0<->c1", lambda c: c[1].__setitem__(1, [y0, y1]))
        add(
            "B proof.json order (both swapped)",
            lambda c: c[1].__setitem__(slice(None), [[x0, x1], [y0, y1]]),
        )
        add("B x<->y", lambda c: c[1].__setitem__(slice(None), [[y1, y0], [x1, x0]]))
        add("B=infinity", lambda c: c[1].__setitem__(slice(None), [[0, 0], [0, 0]]))
        add("B=-B", lambda c: c[1].__setitem__(1, [(Q - y1) % Q, (Q - y0) % Q]))
        add("B=G2", lambda c: c[1].__setitem__(slice(None), copy.deepcopy(_G2_GEN)))
        add(
            "B on twist, outside G2",
            lambda c: c[1].__setitem__(slice(None), copy.deepcopy(_TWIST_OUTSIDE_G2)),
        )
    elif group == "public":
        for i, s in enumerate(cd[3]):
            add(f"pub[{i}]+1", set_word((3, i), (s + 1) % R))
            add(f"pub[{i}]-1", set_word((3, i), (s - 1) % R))
            add(f"pub[{i}]=r", set_word((3, i), R))
            add(f"pub[{i}]+r", set_word((3, i), s + R))
            add(f"pub[{i}]=2^256-1", set_word((3, i), U256 - 1))
    else:
        raise ValueError(group)
    return out


def _rejected(case: VerifierCase, cases: list[tuple[str, Calldata]]) -> list[str]:
    """Labels of the cases the contract did NOT cleanly reject (returned True, or reverted)."""
    bad = []
    for label, cd in cases:
        try:
            if _call(case, cd) is not False:
                bad.append(f"{label}: accepted")
        except Exception as exc:  # a revert is a failure too: bad proofs must return False
            bad.append(f"{label}: reverted ({type(exc).__name__})")
    return bad


# ---------------------------------------------------------------------------------------------
# Valid proofs, wrong statements, tampered proofs
# ---------------------------------------------------------------------------------------------


def test_valid_proofs_verify(ours: VerifierCase) -> None:
    for cd in ours.calldata:
        assert _call(ours, cd) is True


def test_proof_for_other_public_inputs_is_rejected(ours: VerifierCase) -> None:
    (a, b, c, pub0), (a1, b1, c1, pub1) = ours.calldata
    assert pub0 != pub1
    assert _call(ours, (a, b, c, pub1)) is False
    assert _call(ours, (a1, b1, c1, pub0)) is False


@pytest.mark.parametrize("group", ["A", "B", "C", "public"])
def test_every_tampering_is_rejected(ours: VerifierCase, group: str) -> None:
    # Every tampering of statement 0. For public inputs also the out-of-range ones of statement
    # 1, whose zero input makes `pub = r` an exact alias that only a correct `>= r` check rejects
    # (its in-range changes cost a pairing each and add nothing over statement 0's).
    cases = _tamperings(ours.calldata[0], group)
    assert len(cases) >= (5 * ours.n_public if group == "public" else 12)
    if group == "public":
        assert 0 in ours.calldata[1][3]
        cases += [
            (f"statement 1 {label}", cd)
            for label, cd in _tamperings(ours.calldata[1], group)
            if "r" in label.split("]")[1]
        ]
    assert _rejected(ours, cases) == []


# A word of calldata: (0|1|2, index...) into (pA, pB, pC) or (3, i) into pubSignals.
def _word_paths(n_public: int) -> list[tuple[int, ...]]:
    return [(0, 0), (0, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1), (2, 0), (2, 1)] + [
        (3, i) for i in range(n_public)
    ]


@st.composite
def _word_edits(draw: st.DrawFn, cd: Calldata) -> Calldata:
    """1..3 words of ``cd`` replaced by values near, above or far from the originals."""
    new = copy.deepcopy(cd)
    paths = _word_paths(len(cd[3]))
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        tgt: Any = new
        for i in path[:-1]:
            tgt = tgt[i]
        old = tgt[path[-1]]
        value = draw(
            st.one_of(
                st.integers(-3, 3).map(lambda d, old=old: (old + d) % U256),
                st.sampled_from([0, 1, Q - 1, Q, Q + 1, R - 1, R, R + 1, U256 - 1]),
                st.sampled_from([old + Q, old + R]).map(lambda v: v % U256),
                st.integers(0, Q - 1),
                st.integers(0, U256 - 1),
            ),
            label=f"word {path}",
        )
        tgt[path[-1]] = value
    return new


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_word_edits_never_verify(ours: VerifierCase, data: st.DataObject) -> None:
    base = ours.calldata[data.draw(st.integers(0, 1), label="statement")]
    cd = data.draw(_word_edits(base), label="calldata")
    if cd == base:
        assert _call(ours, cd) is True
    else:
        assert _call(ours, cd) is False


@settings(
    max_examples=max(5, _EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(
    which=st.sampled_from(["A", "B", "C"]),
    k=st.integers(1, R - 1),
    statement=st.integers(0, 1),
)
def test_random_valid_points_never_verify(
    ours: VerifierCase, which: str, k: int, statement: int
) -> None:
    """Replacing A, B or C by a random group element (a well-formed proof point) fails."""
    cd = copy.deepcopy(ours.calldata[statement])
    if which == "B":
        p = bn.normalize(bn.multiply(bn.G2, k))
        cd[1][:] = [[p[0].coeffs[1], p[0].coeffs[0]], [p[1].coeffs[1], p[1].coeffs[0]]]
    else:
        p = bn.normalize(bn.multiply(bn.G1, k))
        cd[0 if which == "A" else 2][:] = [p[0].n, p[1].n]
    assert _call(ours, cd) is False


# ---------------------------------------------------------------------------------------------
# Malformed calldata
# ---------------------------------------------------------------------------------------------


def _raw(case: VerifierCase, data: bytes, **kwargs: Any) -> Any:
    return boa.env.raw_call(case.contract.address, data=data, **kwargs)


def _encoded(case: VerifierCase, cd: Calldata) -> bytes:
    return case.contract.verifyProof.prepare_calldata(*copy.deepcopy(cd))


def _returns(computation: Any) -> bool | None:
    """The bool a raw call returned, or None if it reverted."""
    if computation.is_error:
        return None
    out = bytes(computation.output)
    assert len(out) == 32 and int.from_bytes(out, "big") in (0, 1), out
    return bool(int.from_bytes(out, "big"))


def _raw_returns(case: VerifierCase, data: bytes, **kwargs: Any) -> bool | None:
    try:
        return _returns(_raw(case, data, **kwargs))
    except (boa.BoaError, VMError):  # boa re-raises a raw call's revert as the VM's error
        return None


def test_malformed_calldata(ours: VerifierCase) -> None:
    good = _encoded(ours, ours.calldata[0])
    assert len(good) == 4 + 32 * (8 + ours.n_public)
    assert _raw_returns(ours, good) is True
    # Too short anywhere: the ABI decoder reverts (never a pass, never a False).
    for length in (0, 3, 4, 36, len(good) - 32, len(good) - 1):
        assert _raw_returns(ours, good[:length]) is None, length
    # Unknown selector: there is no fallback.
    assert _raw_returns(ours, b"\x00\x00\x00\x00" + good[4:]) is None
    # Not payable.
    boa.env.set_balance(boa.env.eoa, 10**18)
    assert _raw_returns(ours, good, value=1) is None
    # Trailing bytes are ignored by the ABI decoder, as in Solidity: still the same proof.
    assert _raw_returns(ours, good + b"\x01" * 32) is True


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.data())
def test_random_calldata_returns_false(ours: VerifierCase, body: st.DataObject) -> None:
    """Well-sized random calldata never verifies and never reverts."""
    size = 32 * (8 + ours.n_public)
    payload = body.draw(st.binary(min_size=size, max_size=size), label="payload")
    selector = _encoded(ours, ours.calldata[0])[:4]
    assert _raw_returns(ours, selector + payload) is False


# ---------------------------------------------------------------------------------------------
# Gas
# ---------------------------------------------------------------------------------------------


def _calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata price (the EIP-7623 floor does not bind at this execution cost)."""
    return sum(16 if b else 4 for b in data)


def _precompile_floor(n_public: int) -> int:
    return 181_000 + n_public * (6_000 + 150)


def test_gas(ours: VerifierCase, record_property: Callable[[str, Any], None]) -> None:
    """Measured and printed; bounded only as a regression guard (gas is deterministic)."""
    n = ours.n_public
    data = _encoded(ours, ours.calldata[0])
    assert ours.contract.verifyProof(*copy.deepcopy(ours.calldata[0])) is True
    execution = ours.contract._computation.get_gas_used()
    calldata = _calldata_gas(data)
    floor = _precompile_floor(n)
    line = (
        f"vyper verifier gas N={n}: execution {execution:,} (precompiles {floor:,} + contract "
        f"{execution - floor:,}), calldata {calldata:,} ({len(data)} bytes), "
        f"execution+calldata {execution + calldata:,}, tx total {21_000 + execution + calldata:,}"
    )
    print(line)
    record_property("gas", line)
    # Own overhead (warm CALLs at 100 each, ABI decoding, memory): measured 1,455 (N=1), 2,723 (N=3).
    assert execution - floor <= 1_200 + 600 * n, line
    if n == 1:
        assert execution + calldata <= 200_000, line


def _gas_left_at_check(case: VerifierCase, cd: Calldata, gas: int) -> int:
    """Gas remaining when the top-level frame first executes GAS (the reserve check)."""
    comp_cls = type(boa.env.evm.vm.state).computation_class
    original = comp_cls.opcodes[0x5A]
    seen: list[int] = []

    def gas_opcode(computation: Any) -> None:
        original(computation=computation)
        if computation.msg.depth == 0 and not seen:
            seen.append(computation.get_gas_remaining())

    comp_cls.opcodes = {**comp_cls.opcodes, 0x5A: gas_opcode}
    try:
        assert _call(case, cd, gas=gas) is True
    finally:
        comp_cls.opcodes = {**comp_cls.opcodes, 0x5A: original}
    assert seen, "no GAS opcode executed"
    return seen[0]


def test_too_little_gas_reverts_never_false(ours: VerifierCase) -> None:
    """Below the reserve: revert "verifier: out of gas"; at exactly the reserve: verifies."""
    reserve = _reserve_of(ours.source)
    cd = ours.calldata[0]
    big = 10_000_000
    before_check = big - _gas_left_at_check(ours, cd, big)
    g_min = reserve + before_check
    assert _call(ours, cd, gas=g_min) is True
    for gas in (g_min - 1, g_min // 2, 30_000):
        with boa.reverts("verifier: out of gas"):
            _call(ours, cd, gas=gas)
    # A bad proof point at the minimum gas: the pairing call fails and burns its 63/64, and the
    # 1/64 left still returns False.
    bad = copy.deepcopy(cd)
    bad[0][0] = (bad[0][0] + 1) % U256
    assert _call(ours, bad, gas=g_min) is False


def _reserve_of(source: str) -> int:
    """GAS_RESERVE evaluated from the generated source's constants."""
    consts = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^([A-Z_0-9]+): constant\(uint256\) = (\d+)$", source, re.M)
    }
    m = re.search(r"^GAS_RESERVE: constant\(uint256\) = \((.*?)\)\n", source, re.S | re.M)
    assert m, "GAS_RESERVE not found"
    expr = " ".join(m.group(1).split())
    for name, value in consts.items():
        expr = re.sub(rf"\b{name}\b", value, expr)
    assert re.fullmatch(r"[\d\s+*/()]+", expr), expr
    return int(eval(expr))  # noqa: S307 - digits and operators only, checked above


# ---------------------------------------------------------------------------------------------
# Interop with snarkjs
# ---------------------------------------------------------------------------------------------


@pytest.mark.node
def test_snarkjs_proofs(snarkjs_case: VerifierCase) -> None:
    """snarkjs proofs verify; cross-statement and the byte-order tamperings do not."""
    for cd in snarkjs_case.calldata:
        assert _call(snarkjs_case, cd) is True
    (a, b, c, pub0), (a1, b1, c1, pub1) = snarkjs_case.calldata
    assert _call(snarkjs_case, (a, b, c, pub1)) is False
    assert _call(snarkjs_case, (a1, b1, c1, pub0)) is False
    cases = [
        (lbl, cd)
        for lbl, cd in _tamperings(snarkjs_case.calldata[0], "B")
        if "<->" in lbl or "order" in lbl
    ]
    cases += _tamperings(snarkjs_case.calldata[1], "public")
    assert _rejected(snarkjs_case, cases) == []


@pytest.mark.node
@pytest.mark.parametrize("n", [1, 3])
def test_calldata_and_abi_match_snarkjs(snarkjs_dir: Path, n: int) -> None:
    """proof_calldata == `snarkjs zkey export soliditycalldata`; same selector as its .sol."""
    d = snarkjs_dir / f"n{n}"
    for k in (0, 1):
        expected = [
            [int(v, 16) for v in part]
            if isinstance(part[0], str)
            else [[int(v, 16) for v in row] for row in part]
            for part in json.loads((d / f"calldata{k}.json").read_text())
        ]
        ours_cd = proof_calldata(
            json.loads((d / f"proof{k}.json").read_text()),
            json.loads((d / f"public{k}.json").read_text()),
        )
        assert list(ours_cd) == expected
    sol = (d / "verifier.sol").read_text()
    m = re.search(r"function verifyProof\((.*?)\)\s*public view returns \(bool\)", sol, re.S)
    assert m, "snarkjs template changed: verifyProof not found"
    sol_types = [re.sub(r"\buint\b", "uint256", p.split()[0]) for p in m.group(1).split(",")]
    sol_sig = f"verifyProof({','.join(sol_types)})"
    vk = json.loads((d / "vk.json").read_text())
    abi = compile_code(generate_vyper_verifier(vk), output_formats=["abi"])["abi"]
    (fn,) = [e for e in abi if e.get("type") == "function"]
    our_sig = f"{fn['name']}({','.join(i['type'] for i in fn['inputs'])})"
    assert our_sig == sol_sig == f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{n}])"
    assert [o["type"] for o in fn["outputs"]] == ["bool"]
    assert fn["stateMutability"] == "view"
    assert keccak(text=our_sig)[:4] == keccak(text=sol_sig)[:4]


# ---------------------------------------------------------------------------------------------
# Generator: source shape and key handling
# ---------------------------------------------------------------------------------------------


def test_source_follows_house_style(ours: VerifierCase) -> None:
    src = generate_vyper_verifier(ours.vk)
    assert src == generate_vyper_verifier(ours.vk)  # deterministic
    assert src.splitlines()[0] == "# pragma version ~=0.4.3"
    for tag in (
        "@title",
        "@notice",
        "@custom:security",
        "@param pA",
        "@param pubSignals",
        "@return",
    ):
        assert tag in src, tag
    assert vk_digest(ours.vk) in src
    assert "raw_call(" in src and "is_static_call=True" in src
    assert src.count("EC_PAIRING,") == 1  # one pairing call, four pairs
    m = re.search(r"EC_PAIRING,\s*abi_encode\((.*?)\),\s*max_outsize=32", src, re.S)
    assert m, "pairing call not found"
    words = re.sub(r"extract32\([^)]*\)", "word", m.group(1)).split(",")
    assert len([w for w in words if w.strip()]) == 24


def test_our_key_and_its_snarkjs_json_generate_the_same_contract(ours: VerifierCase) -> None:
    nvk = normalize_verifying_key(ours.vk)
    as_json = json.loads(json.dumps(nvk.to_snarkjs()))
    assert generate_vyper_verifier(as_json) == generate_vyper_verifier(ours.vk)
    assert normalize_verifying_key(as_json) == nvk


def test_our_snarkjs_json_files_give_the_same_contract_and_calldata(ours: VerifierCase) -> None:
    """Our key and proofs written by offchain.snark.snarkjs_json read back to the same contract
    and the same verifyProof calldata as the in-memory objects."""
    from offchain.snark.snarkjs_json import proof_to_json, public_to_json, vk_to_json

    vk_json = json.loads(json.dumps(vk_to_json(ours.vk, include_alphabeta=False)))
    assert generate_vyper_verifier(vk_json) == generate_vyper_verifier(ours.vk)
    for proof, cd in zip(ours.proofs, ours.calldata, strict=True):
        proof_json = json.loads(json.dumps(proof_to_json(proof)))
        public_json = json.loads(json.dumps(public_to_json(cd[3])))
        assert proof_calldata(proof_json, public_json) == cd


def _snarkjs_style_vk(nvk: NormalizedVerifyingKey) -> dict[str, Any]:
    return json.loads(json.dumps(nvk.to_snarkjs()))


def test_key_validation(ours: VerifierCase) -> None:
    good = _snarkjs_style_vk(normalize_verifying_key(ours.vk))

    def broken(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        vk = copy.deepcopy(good)
        edit(vk)
        return vk

    bad_keys = {
        "protocol": broken(lambda v: v.__setitem__("protocol", "plonk")),
        "curve": broken(lambda v: v.__setitem__("curve", "bls12381")),
        "nPublic": broken(lambda v: v.__setitem__("nPublic", v["nPublic"] + 1)),
        "no public inputs": broken(
            lambda v: (v.__setitem__("IC", v["IC"][:1]), v.__setitem__("nPublic", 0))
        ),
        "alpha off curve": broken(
            lambda v: v["vk_alpha_1"].__setitem__(1, str(int(v["vk_alpha_1"][1]) + 1))
        ),
        "IC coordinate >= q": broken(
            lambda v: v["IC"][0].__setitem__(0, str(int(v["IC"][0][0]) + Q))
        ),
        "beta on twist, outside G2": broken(
            lambda v: v.__setitem__(
                "vk_beta_2",
                [[str(w) for w in reversed(c)] for c in _TWIST_OUTSIDE_G2] + [["1", "0"]],
            )
        ),
        "delta off twist": broken(
            lambda v: v["vk_delta_2"][0].__setitem__(0, str((int(v["vk_delta_2"][0][0]) + 1) % Q))
        ),
    }
    accepted = []
    for what, vk in bad_keys.items():
        try:
            generate_vyper_verifier(vk)
        except ValueError:
            continue
        accepted.append(what)
    assert accepted == []


def test_key_shapes_accepted() -> None:
    """py-ecc points (projective, z != 1), None for infinity, and plain tuples all normalise."""
    g1 = bn.multiply(bn.G1, 5)  # projective with z != 1 in general
    g2 = bn.normalize(bn.multiply(bn.G2, 7))
    ref = normalize_verifying_key(
        {
            "protocol": "groth16",
            "curve": "bn128",
            "nPublic": 1,
            "vk_alpha_1": [str(bn.normalize(g1)[0].n), str(bn.normalize(g1)[1].n), "1"],
            "vk_beta_2": [
                [str(g2[0].coeffs[0]), str(g2[0].coeffs[1])],
                [str(g2[1].coeffs[0]), str(g2[1].coeffs[1])],
                ["1", "0"],
            ],
            "vk_gamma_2": [
                [str(g2[0].coeffs[0]), str(g2[0].coeffs[1])],
                [str(g2[1].coeffs[0]), str(g2[1].coeffs[1])],
                ["1", "0"],
            ],
            "vk_delta_2": [["0", "0"], ["1", "0"], ["0", "0"]],
            "IC": [["0", "1", "0"], [str(bn.normalize(g1)[0].n), str(bn.normalize(g1)[1].n), "1"]],
        }
    )

    @dataclass
    class VK:
        alpha_1: Any
        beta_2: Any
        gamma_2: Any
        delta_2: Any
        ic: Any

    obj = VK(
        g1,
        (g2[0], g2[1]),
        ((g2[0].coeffs[0], g2[0].coeffs[1]), (g2[1].coeffs[0], g2[1].coeffs[1])),
        None,
        (None, g1),
    )
    assert normalize_verifying_key(obj) == ref
    assert ref.delta_2 == ((0, 0), (0, 0)) and ref.ic[0] == (0, 0)
    generate_vyper_verifier(ref)  # infinity constants are fine in the template


# ---------------------------------------------------------------------------------------------
# CLI: hatchway snark verifier --vk VK.json --out PATH.vy
# ---------------------------------------------------------------------------------------------


def test_cli_writes_the_generated_contract(ours: VerifierCase, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from offchain.snark.cli_verifier import verifier_command
    from offchain.snark.snarkjs_json import write_vk

    vk_path = tmp_path / "verification_key.json"
    write_vk(vk_path, ours.vk, include_alphabeta=False)
    out = tmp_path / "contracts" / "Groth16Verifier.vy"
    result = CliRunner().invoke(verifier_command, ["--vk", str(vk_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == generate_vyper_verifier(ours.vk)
    assert vk_digest(ours.vk) in result.output

    result = CliRunner().invoke(
        verifier_command, ["--vk", str(vk_path), "--out", "-", "--no-compile-check"]
    )
    assert result.exit_code == 0 and result.output == generate_vyper_verifier(ours.vk)

    (tmp_path / "bad.json").write_text('{"protocol": "groth16"')
    result = CliRunner().invoke(
        verifier_command, ["--vk", str(tmp_path / "bad.json"), "--out", "-"]
    )
    assert result.exit_code == 2 and "invalid verifying key" in result.output
    (tmp_path / "plonk.json").write_text(
        json.dumps({**json.loads(vk_path.read_text()), "protocol": "plonk"})
    )
    result = CliRunner().invoke(
        verifier_command, ["--vk", str(tmp_path / "plonk.json"), "--out", "-"]
    )
    assert result.exit_code == 2 and "invalid verifying key" in result.output
