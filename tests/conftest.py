"""Shared fixtures: the real knowledge base and responder, loaded once per test session."""

from __future__ import annotations

import pytest

from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.understanding.answer import Responder, build_responder


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def responder(kb: KnowledgeBase) -> Responder:
    return build_responder(kb)
