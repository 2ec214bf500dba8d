"""Restaked operators of the FastFinality service: BLS keys and signatures on BN254 (``bls``), a
header-signing node (``node``), the certificate aggregator (``aggregator``) and the ``operator``
click group (``cli``). Spec: docs/fastfinality.md."""
