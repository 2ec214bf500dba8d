# pragma version ~=0.4.3
"""
@title MockProvenRoots
@notice TEST-ONLY stand-in for the Rollup (interfaces/IProvenRoots.vyi): anyone sets the proven
        root of a batch. Never deploy outside tests.
"""

from interfaces import IProvenRoots
implements: IProvenRoots

_roots: HashMap[uint256, uint256]


@external
def set_proven_root(number: uint256, root: uint256):
    self._roots[number] = root


@view
@external
def proven_root(number: uint256) -> uint256:
    return self._roots[number]
