"""Words that say what an out-of-scope message is about, so that a decline can say it too.

Some questions use every word of our topic and are still not ours: cancelling another
country's SIM ("新加坡Singtel的预付卡怎么注销"), buying, topping up or roaming with an
Albanian one, closing a bank account. The lists live in knowledge/synonyms.yaml
(`out_of_scope:`) and are matched on the text with its synonyms folded (so 儲值卡 is already
sim卡, and 儲值 alone is a top-up), as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.understanding.synonyms import whole_words_pattern


class OutOfScopeKind:
    """What an out-of-scope message is about (the decline's reason is chosen from it)."""

    ELSEWHERE = "elsewhere"  # another country's SIM or operator
    NOT_COVERED = "not_covered"  # buying, topping up, roaming, eSIM, data plans
    OTHER_ACCOUNT = "other_account"  # a bank card or account, another app's account


@dataclass(frozen=True)
class OutOfScopeCues:
    """The word lists of synonyms.yaml `out_of_scope:`, compiled once."""

    elsewhere: tuple[str, ...] = ()  # other countries' operators ("singtel", "中国移动", "vodafone uk")
    albania: tuple[str, ...] = ()  # words that put a message back in Albania ("albania", "阿尔巴尼亚")
    not_covered: tuple[str, ...] = ()  # services we do not cover ("esim", "漫游", "哪里买")
    other_account: tuple[str, ...] = ()  # other accounts ("bank account", "银行账户", "revolut")
    cancelling: tuple[str, ...] = ()  # words of ending a number ("注销", "cancel", "停机")
    linking: tuple[str, ...] = ()  # words of an account tied to the number ("解绑", "linked")
    _patterns: dict[str, re.Pattern[str]] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("elsewhere", "albania", "not_covered", "other_account", "cancelling", "linking"):
            words = getattr(self, name)
            if words:
                self._patterns[name] = re.compile(whole_words_pattern(words))

    def _has(self, name: str, canonical: str) -> bool:
        pattern = self._patterns.get(name)
        return pattern is not None and pattern.search(canonical) is not None

    def certain(self, canonical: str, normalized: str = "") -> str | None:
        """The kind of a message that is out of scope whatever else it says, else None.

        Another country's operator, unless Albania is named too ("I moved to Singapore, how do
        I cancel my Albanian SIM"); a service we do not cover or another account, unless the
        message also speaks of ending a number ("no top up for a long time, when does it close").
        An operator's name is looked for before the synonyms are folded too (`normalized`):
        folding reads "China Mobile number" as "china number".
        """
        names_elsewhere = self._has("elsewhere", canonical) or self._has("elsewhere", normalized)
        if names_elsewhere and not self._has("albania", canonical):
            return OutOfScopeKind.ELSEWHERE
        if self._has("other_account", canonical) and not self._has("linking", canonical):
            return OutOfScopeKind.OTHER_ACCOUNT  # "cancel my debit card"; but "银行账户绑了这个号" is ours
        if self._has("cancelling", canonical):
            return None
        if self._has("not_covered", canonical):
            return OutOfScopeKind.NOT_COVERED
        return None

    def ends_a_number(self, canonical: str) -> bool:
        """Whether a message speaks of ending a number ("cancel", "注销", "expire", "不充值")."""
        return self._has("cancelling", canonical)

    def likely(self, canonical: str) -> str | None:
        """What a message already judged out of scope seems to be about, to say so in the decline."""
        for name in (OutOfScopeKind.ELSEWHERE, OutOfScopeKind.OTHER_ACCOUNT, OutOfScopeKind.NOT_COVERED):
            if self._has(name, canonical):
                return name
        return None
