"""Shared fixtures: the real knowledge base and responder, loaded once per test session.

Also the Hypothesis profile: in CI (CI=true, as GitHub Actions and most CI services set it) the
property tests are derandomised, so a run fails or passes for the code alone, not for the draw;
a developer's runs keep exploring new examples (and keep the failures they found in .hypothesis/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.understanding.answer import Responder, build_responder
from tests.cli import InProcessCli

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "default")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def responder(kb: KnowledgeBase) -> Responder:
    return build_responder(kb)


@pytest.fixture(scope="session")
def cli_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The caches of in-process command lines (see InProcessCli), shared by the session."""
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture
def cli(cli_cache_dir: Path) -> InProcessCli:
    """`python -m bot ...` run in this process: `cli("ask", "第四步").stdout`."""
    return InProcessCli(cli_cache_dir)
