"""The L2 state machine (docs/protocol.md §2–§3) and the witnesses the circuits consume.

:class:`RollupState` holds the accounts tree and one balances tree per account, applies ops with
every rule of the protocol checked *before* anything changes (a rejected op leaves the state
exactly as it was), and returns for each op the :class:`SlotWitness` the batch circuit needs.
:meth:`RollupState.build_batch` applies a whole batch atomically (all ops or none) and returns the
:class:`BatchWitness` with its pubdata and commitment; :meth:`RollupState.exit_witness` gives the
exit circuit's witness for one (account, token).

The sequencer drives it with signed ops; the exit tool replays pubdata read from L1 with
``verify_signatures=False`` (a proven batch's ops were checked by the circuit already).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from offchain.crypto import eddsa
from offchain.rollup import encoding as enc
from offchain.rollup.params import (
    AMOUNT_BITS,
    MAX_WITHDRAWALS_PER_BATCH,
    NONCE_BITS,
    OP_DEPOSIT,
    OP_FORCED_EXIT,
    OP_NOOP,
    OP_OPEN,
    OP_TRANSFER,
    OP_WITHDRAW,
    OWNER_BITS,
    PRIORITY_REQUEST_BYTES,
    SIGNED_OPS,
    WITHDRAWING_OPS,
    ChainParams,
    R,
)
from offchain.state.smt import SparseMerkleTree, zero_hashes


class OpRejected(ValueError):
    """An op that the protocol does not allow in the current state (the message says why)."""


@dataclass(frozen=True)
class Op:
    """One operation as the sequencer receives it (pubdata fields plus, for signed ops, the
    signer's public key and signature). Build with the ``open``/``deposit``/... helpers."""

    op_type: int
    account: int = 0
    to: int = 0
    token: int = 0
    amount: int = 0
    owner: int = 0
    key_hash: int = 0
    pubkey: tuple[int, int] | None = None
    signature: tuple[int, int, int] | None = None

    @staticmethod
    def open(account: int, owner: int, key_hash: int) -> Op:
        """OPEN (L1 priority request)."""
        return Op(OP_OPEN, account=account, owner=owner, key_hash=key_hash)

    @staticmethod
    def deposit(account: int, token: int, amount: int) -> Op:
        """DEPOSIT (L1 priority request)."""
        return Op(OP_DEPOSIT, account=account, token=token, amount=amount)

    @staticmethod
    def forced_exit(account: int, token: int, amount: int = 0) -> Op:
        """FORCED_EXIT (L1 priority request); the state fills in the amount when applied."""
        return Op(OP_FORCED_EXIT, account=account, token=token, amount=amount)

    @staticmethod
    def from_slot(f: enc.SlotFields) -> Op:
        """The op a decoded pubdata slot records (signed ops without their signature; a forced
        exit's amount is left for the state to fill in)."""
        if f.op_type == OP_OPEN:
            return Op.open(f.account, f.owner, f.key_hash)
        if f.op_type == OP_DEPOSIT:
            return Op.deposit(f.account, f.token, f.amount)
        if f.op_type == OP_FORCED_EXIT:
            return Op.forced_exit(f.account, f.token)
        return Op(f.op_type, account=f.account, to=f.to, token=f.token, amount=f.amount)

    def slot(self) -> bytes:
        """The op's 57-byte pubdata slot."""
        return enc.encode_slot(
            self.op_type, self.account, self.to, self.token, self.amount, self.owner, self.key_hash
        )

    def message(self, chain_id: int, nonce: int) -> int:
        """The field element a TRANSFER/WITHDRAW signs (§3)."""
        return enc.signed_message(
            chain_id, self.op_type, self.account, self.to, self.token, self.amount, nonce
        )


def signed_op(
    op_type: int,
    prv: bytes,
    chain_id: int,
    nonce: int,
    account: int,
    token: int,
    amount: int,
    to: int = 0,
) -> Op:
    """A TRANSFER or WITHDRAW signed with the 32-byte EdDSA key ``prv`` at ``nonce``."""
    if op_type not in SIGNED_OPS:
        raise ValueError("state: only transfers and withdrawals are signed")
    if op_type == OP_WITHDRAW and to:
        raise ValueError("state: a withdrawal has no recipient account")
    unsigned = Op(op_type, account=account, to=to, token=token, amount=amount)
    sig = eddsa.sign(prv, unsigned.message(chain_id, nonce))
    return replace(unsigned, pubkey=eddsa.public_key(prv), signature=sig)


@dataclass
class SlotWitness:
    """Everything the batch circuit needs for one slot (docs/protocol.md §3); all ints."""

    op_type: int = 0
    account: int = 0
    to: int = 0
    token: int = 0
    amount: int = 0
    owner: int = 0
    key_hash: int = 0
    a_owner: int = 0
    a_key_hash: int = 0
    a_nonce: int = 0
    a_balance: int = 0
    a_balance_siblings: list[int] = field(default_factory=list)
    a_account_siblings: list[int] = field(default_factory=list)
    b_owner: int = 0
    b_key_hash: int = 0
    b_nonce: int = 0
    b_balance: int = 0
    b_balance_siblings: list[int] = field(default_factory=list)
    b_account_siblings: list[int] = field(default_factory=list)
    sig_ax: int = 0
    sig_ay: int = 0
    sig_r8x: int = 0
    sig_r8y: int = 0
    sig_s: int = 0
    root_before: int = 0
    root_mid: int = 0
    root_after: int = 0

    def slot(self) -> bytes:
        """This slot's pubdata."""
        return enc.encode_slot(
            self.op_type, self.account, self.to, self.token, self.amount, self.owner, self.key_hash
        )


@dataclass
class BatchWitness:
    """A built batch: header values, pubdata, per-slot witnesses and the commitment."""

    params: ChainParams
    prev_root: int
    new_root: int
    priority_hash: bytes
    message_root: bytes
    pubdata: bytes
    slots: list[SlotWitness]
    commitment: int
    priority_consumed: int

    def withdrawals(self) -> list[tuple[int, int, int]]:
        """(account, token, amount) credited on L1 when this batch executes."""
        return enc.batch_withdrawals(self.pubdata, self.params.slots)


@dataclass
class ExitWitness:
    """The exit circuit's witness for one (account, token) under ``root`` (§6)."""

    root: int
    account: int
    owner: int
    token: int
    amount: int
    key_hash: int
    nonce: int
    balance_siblings: list[int]
    account_siblings: list[int]
    commitment: int


@dataclass
class Account:
    """An opened account's leaf fields and its balances tree."""

    owner: int
    key_hash: int
    nonce: int
    balances: SparseMerkleTree

    def leaf(self) -> int:
        return enc.account_leaf(self.owner, self.key_hash, self.nonce, self.balances.root)


def _int(value: object, bits: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < (1 << bits):
        raise OpRejected(f"{what} must be an integer in [0, 2^{bits}), got {value!r}")
    return value


class RollupState:
    """The accounts tree and the balances trees of one chain (in memory; the sequencer's journal
    and the exit tool rebuild it by replaying ops)."""

    def __init__(self, params: ChainParams) -> None:
        """An empty chain: its root is the genesis root."""
        self.params = params
        self.accounts = SparseMerkleTree(params.account_depth)
        self._accounts: dict[int, Account] = {}
        self._empty_balances_root = zero_hashes(params.token_depth)[params.token_depth]

    # ---- reads --------------------------------------------------------------------------

    @property
    def root(self) -> int:
        """The current state root."""
        return self.accounts.root

    @staticmethod
    def genesis_root(params: ChainParams) -> int:
        """The root of the empty accounts tree for ``params``."""
        return zero_hashes(params.account_depth)[params.account_depth]

    def account(self, account_id: int) -> Account | None:
        """The account's record, or None if it is not open."""
        return self._accounts.get(account_id)

    def balance(self, account_id: int, token: int) -> int:
        """The balance of ``token`` in ``account_id`` (0 for an unopened account)."""
        acct = self._accounts.get(account_id)
        return 0 if acct is None else acct.balances.get(token)

    def nonce(self, account_id: int) -> int:
        """The account's next nonce."""
        acct = self._accounts.get(account_id)
        return 0 if acct is None else acct.nonce

    def account_ids(self) -> list[int]:
        """Every open account id, ascending."""
        return sorted(self._accounts)

    # ---- validation ---------------------------------------------------------------------

    def _check_account_id(self, account_id: object, what: str) -> int:
        account_id = _int(account_id, 32, what)
        if not 1 <= account_id <= self.params.max_account:
            raise OpRejected(f"{what} {account_id} is outside 1..{self.params.max_account}")
        return account_id

    def _existing(self, account_id: int, what: str) -> Account:
        acct = self._accounts.get(account_id)
        if acct is None:
            raise OpRejected(f"{what} {account_id} is not open")
        return acct

    def _check_token(self, token: object) -> int:
        token = _int(token, 16, "token")
        if token > self.params.max_token:
            raise OpRejected(f"token {token} is outside 0..{self.params.max_token}")
        return token

    def validate(self, op: Op, *, verify_signature: bool = True) -> int:
        """Check ``op`` against the current state without changing anything; returns the amount
        the op will carry in pubdata (a forced exit's is the whole balance). Raises OpRejected."""
        t = op.op_type
        if t == OP_NOOP:
            if any((op.account, op.to, op.token, op.amount, op.owner, op.key_hash)):
                raise OpRejected("a noop has no fields")
            return 0
        a = self._check_account_id(op.account, "account")
        if t == OP_OPEN:
            if a in self._accounts:
                raise OpRejected(f"account {a} is already open")
            _int(op.owner, OWNER_BITS, "owner")
            if not 0 < op.key_hash < R:
                raise OpRejected("key_hash must be a non-zero field element")
            if op.to or op.token or op.amount:
                raise OpRejected("an open carries only account, owner and key_hash")
            return 0
        if op.owner or op.key_hash:
            raise OpRejected("only an open carries owner and key_hash")
        acct = self._existing(a, "account")
        token = self._check_token(op.token)
        amount = _int(op.amount, AMOUNT_BITS, "amount")
        if t != OP_TRANSFER and op.to:
            raise OpRejected("only a transfer has a recipient")
        balance = acct.balances.get(token)
        if t == OP_DEPOSIT:
            if amount == 0:
                raise OpRejected("a deposit must be non-zero")
            if balance + amount >= 1 << AMOUNT_BITS:
                raise OpRejected("deposit would overflow the 128-bit balance")
            return amount
        if t == OP_FORCED_EXIT:
            return balance
        if t in SIGNED_OPS:
            if t == OP_TRANSFER:
                to = self._check_account_id(op.to, "recipient")
                recipient = self._existing(to, "recipient")
                received = balance - amount if to == a else recipient.balances.get(token)
                if received + amount >= 1 << AMOUNT_BITS:
                    raise OpRejected("transfer would overflow the recipient's 128-bit balance")
            if amount == 0:
                raise OpRejected("amount must be non-zero")
            if amount > balance:
                raise OpRejected(f"insufficient balance: {balance} < {amount}")
            if acct.nonce + 1 >= 1 << NONCE_BITS:
                raise OpRejected("nonce space exhausted")
            if verify_signature:
                self._check_signature(op, acct)
            return amount
        raise OpRejected(f"unknown op type {t}")

    def _check_signature(self, op: Op, acct: Account) -> None:
        if op.pubkey is None or op.signature is None:
            raise OpRejected("missing signature")
        try:
            if enc.key_hash(*op.pubkey) != acct.key_hash:
                raise OpRejected("the signing key is not the account's key")
            ok = eddsa.verify(op.pubkey, op.message(self.params.chain_id, acct.nonce), op.signature)
        except OpRejected:
            raise
        except ValueError as exc:
            raise OpRejected(f"malformed signature or key: {exc}") from None
        if not ok:
            raise OpRejected("bad signature")

    # ---- transitions --------------------------------------------------------------------

    def _account_path(self, account_id: int) -> list[int]:
        return self.accounts.prove(account_id).siblings

    def _set_leaf(self, account_id: int, acct: Account) -> None:
        self.accounts.update(account_id, acct.leaf())

    def apply(self, op: Op, *, verify_signature: bool = True) -> SlotWitness:
        """Apply one op (checked first; on rejection nothing changes) and return its witness."""
        amount = self.validate(op, verify_signature=verify_signature)
        t = op.op_type
        w = SlotWitness(op_type=t, account=op.account, to=op.to, token=op.token, amount=amount)
        d_a, d_t = self.params.account_depth, self.params.token_depth
        w.root_before = self.root
        zeros_a, zeros_t = [0] * d_a, [0] * d_t
        w.a_account_siblings, w.a_balance_siblings = list(zeros_a), list(zeros_t)
        w.b_account_siblings, w.b_balance_siblings = list(zeros_a), list(zeros_t)
        if t == OP_NOOP:
            w.root_mid = w.root_after = self.root
            return w
        a = op.account
        w.a_account_siblings = self._account_path(a)
        if t == OP_OPEN:
            w.owner, w.key_hash = op.owner, op.key_hash
            w.a_owner, w.a_key_hash = op.owner, op.key_hash
            acct = Account(op.owner, op.key_hash, 0, SparseMerkleTree(d_t))
            self._accounts[a] = acct
            self._set_leaf(a, acct)
            w.root_mid = w.root_after = self.root
            return w
        acct = self._accounts[a]
        w.a_owner, w.a_key_hash, w.a_nonce = acct.owner, acct.key_hash, acct.nonce
        w.a_balance = acct.balances.get(op.token)
        w.a_balance_siblings = acct.balances.prove(op.token).siblings
        if t == OP_DEPOSIT:
            new_balance = w.a_balance + amount
        elif t == OP_FORCED_EXIT:
            new_balance = 0
        else:
            new_balance = w.a_balance - amount
            acct.nonce += 1
            w.sig_ax, w.sig_ay = op.pubkey or (0, 0)
            w.sig_r8x, w.sig_r8y, w.sig_s = op.signature or (0, 0, 0)
        acct.balances.update(op.token, new_balance)
        self._set_leaf(a, acct)
        w.root_mid = self.root
        if t == OP_TRANSFER:
            rcv = self._accounts[op.to]
            w.b_owner, w.b_key_hash, w.b_nonce = rcv.owner, rcv.key_hash, rcv.nonce
            w.b_balance = rcv.balances.get(op.token)
            w.b_balance_siblings = rcv.balances.prove(op.token).siblings
            w.b_account_siblings = self._account_path(op.to)
            rcv.balances.update(op.token, w.b_balance + amount)
            self._set_leaf(op.to, rcv)
        w.root_after = self.root
        return w

    def replay_pubdata(self, pubdata: bytes) -> None:
        """Apply a proven or committed batch's pubdata, slot by slot, without signatures (how the
        exit tool and operator nodes rebuild the chain from L1). Raises OpRejected for a slot the
        protocol does not allow here, including a forced exit whose amount is not the balance
        (ValueError for malformed pubdata); slots before it stay applied."""
        for i, f in enumerate(enc.split_pubdata(pubdata, self.params.slots)):
            w = self.apply(Op.from_slot(f), verify_signature=False)
            if w.amount != f.amount:
                raise OpRejected(
                    f"slot {i}: forced exit amount {f.amount} is not the balance {w.amount}"
                )

    # ---- atomic batches -----------------------------------------------------------------

    def build_batch(
        self,
        ops: Sequence[Op],
        priority_start: bytes,
        *,
        verify_signatures: bool = True,
        message_root: bytes = enc.ZERO32,
    ) -> BatchWitness:
        """Apply up to ``slots`` ops as one batch (padded with noops) and return its witness.

        All or nothing: if any op is rejected, every op already applied is undone and the
        OpRejected names the failing op's position. ``priority_start`` is the queue's chain value
        before the batch's first priority op (``chain[consumed]`` on L1).
        """
        if len(ops) > self.params.slots:
            raise OpRejected(f"a batch holds at most {self.params.slots} ops, got {len(ops)}")
        n_withdrawing = sum(1 for o in ops if o.op_type in WITHDRAWING_OPS)
        if n_withdrawing > MAX_WITHDRAWALS_PER_BATCH:
            raise OpRejected(
                f"a batch pays at most {MAX_WITHDRAWALS_PER_BATCH} withdrawals, got {n_withdrawing}"
            )
        if message_root != enc.ZERO32:
            raise OpRejected("version 1 batches carry no bridge messages (message_root = 0)")
        undo = self._undo_log(ops)
        prev_root = self.root
        witnesses: list[SlotWitness] = []
        try:
            for i, op in enumerate(ops):
                try:
                    witnesses.append(self.apply(op, verify_signature=verify_signatures))
                except OpRejected as exc:
                    raise OpRejected(f"op {i} ({op.op_type}): {exc}") from None
        except OpRejected:
            self._restore(undo)
            raise
        while len(witnesses) < self.params.slots:
            witnesses.append(self.apply(Op(OP_NOOP)))
        pubdata = b"".join(w.slot() for w in witnesses)
        chain = priority_start
        consumed = 0
        for w in witnesses:
            if w.op_type in PRIORITY_REQUEST_BYTES:
                chain = enc.fold_priority(chain, enc.priority_request(w.slot()))
                consumed += 1
        commitment = enc.batch_commitment(prev_root, self.root, chain, message_root, pubdata)
        return BatchWitness(
            params=self.params,
            prev_root=prev_root,
            new_root=self.root,
            priority_hash=chain,
            message_root=message_root,
            pubdata=pubdata,
            slots=witnesses,
            commitment=commitment,
            priority_consumed=consumed,
        )

    def _undo_log(
        self, ops: Sequence[Op]
    ) -> dict[int, tuple[int, int, int, dict[int, int]] | None]:
        """What :meth:`_restore` needs to undo ``ops``: each touched account's fields and the
        balances of the tokens the ops touch (before any of them is applied)."""
        tokens: dict[int, set[int]] = {}
        for o in ops:
            if o.op_type == OP_NOOP:
                continue
            tokens.setdefault(o.account, set()).add(o.token)
            if o.op_type == OP_TRANSFER:
                tokens.setdefault(o.to, set()).add(o.token)
        log: dict[int, tuple[int, int, int, dict[int, int]] | None] = {}
        for i, toks in tokens.items():
            acct = self._accounts.get(i)
            if acct is None:
                log[i] = None
            else:
                balances = {
                    t: acct.balances.get(t) for t in toks if 0 <= t <= self.params.max_token
                }
                log[i] = (acct.owner, acct.key_hash, acct.nonce, balances)
        return log

    def _restore(self, log: dict[int, tuple[int, int, int, dict[int, int]] | None]) -> None:
        for i, saved in log.items():
            if saved is None:
                if i in self._accounts:
                    del self._accounts[i]
                    self.accounts.update(i, 0)
                continue
            owner, kh, nonce, balances = saved
            acct = self._accounts[i]
            acct.owner, acct.key_hash, acct.nonce = owner, kh, nonce
            acct.balances.update_many(list(balances.items()))
            self._set_leaf(i, acct)

    # ---- exits --------------------------------------------------------------------------

    def exit_witness(self, account_id: int, token: int) -> ExitWitness:
        """The exit circuit's witness for (account, token) under the current root."""
        a = self._check_account_id(account_id, "account")
        acct = self._existing(a, "account")
        token = self._check_token(token)
        amount = acct.balances.get(token)
        return ExitWitness(
            root=self.root,
            account=a,
            owner=acct.owner,
            token=token,
            amount=amount,
            key_hash=acct.key_hash,
            nonce=acct.nonce,
            balance_siblings=acct.balances.prove(token).siblings,
            account_siblings=self._account_path(a),
            commitment=enc.exit_commitment(self.root, a, acct.owner, token, amount),
        )
