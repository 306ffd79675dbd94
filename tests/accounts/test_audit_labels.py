"""Every action the code writes to the audit log has a label an admin can read: the log page
shows a missing one as its raw code ("helpline_deleted"). The actions are read from the code
itself, so an area added later is covered too."""

from __future__ import annotations

import ast
from pathlib import Path

from campaign.accounts.audit import ACTION_LABELS

PACKAGE = Path(__file__).resolve().parents[2] / "campaign"
# The functions that take an action code as their first or second argument.
WRITERS = {"record_event", "_audit"}


def _written_actions() -> dict[str, str]:
    """{action: where} for every call of a writer with the action as a string literal."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS:
                continue
            for argument in node.args[:2]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.setdefault(argument.value, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_the_code_writes_actions_this_test_can_see():
    actions = _written_actions()
    assert {"login", "broadcast_sent", "vote_recorded", "suppressions_imported"} <= set(actions)
    assert len(actions) > 40


def test_every_action_written_to_the_audit_log_has_a_label():
    missing = {action: where for action, where in _written_actions().items() if action not in ACTION_LABELS}
    assert missing == {}
