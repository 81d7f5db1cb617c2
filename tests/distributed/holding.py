"""Two process tasks at once, the first held open after placing its article.

The hold sits in ``link_captures``, which runs after the article is placed and
before its transaction commits: every lock the placement took (band keys,
stories) is still held while the second task runs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed import process as process_module
from provenance.distributed.process import process_items

__all__ = ["second_waits"]

_HELD = "held"


def second_waits(
    sessions: sessionmaker[Session],
    first: Sequence[int],
    second: Sequence[int],
    *,
    wait: float = 1.5,
) -> bool:
    """Process ``first`` held open before its commit, then ``second`` beside it.

    Returns:
        Whether ``second`` was still blocked ``wait`` seconds after it started;
        both tasks have finished when this returns.
    """
    gate, release = threading.Event(), threading.Event()
    link = process_module.crawl_repo.link_captures  # type: ignore[attr-defined]

    def held_link(session: Session, url_norms: list[str]) -> None:
        if threading.current_thread().name == _HELD:
            gate.set()
            release.wait(20)
        link(session, url_norms)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(process_module.crawl_repo, "link_captures", held_link)  # type: ignore[attr-defined]
        one = threading.Thread(target=process_items, args=(sessions, list(first)), name=_HELD)
        one.start()
        try:
            assert gate.wait(20), "the first task never reached its commit"
            two = threading.Thread(target=process_items, args=(sessions, list(second)))
            two.start()
            two.join(wait)
            waited = two.is_alive()
        finally:
            release.set()
            one.join(20)
        two.join(20)
    return waited
