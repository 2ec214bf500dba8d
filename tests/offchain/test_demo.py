"""The `make demo` walkthrough: deterministic, rejects the forged transfer, survives a reopen."""

from offchain.demo import run_state_demo


def test_demo_is_deterministic_and_rejects_the_forgery(tmp_path):
    lines: list[str] = []
    root = run_state_demo(echo=lines.append, workdir=tmp_path)
    assert any("rejected [47]" in line for line in lines), lines
    assert any("same root" in line for line in lines)
    again = run_state_demo(echo=lambda _: None)
    assert again == root
