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
    # Another place's card, named by the place: each place followed by each card word ("英国" +
    # "的sim卡", "uk" + "sim"). A card, not a number: "换成台湾的号码" is rebinding after cancelling.
    places: tuple[str, ...] = ()
    place_cards: tuple[str, ...] = ()
    albania: tuple[str, ...] = ()  # words that put a message back in Albania ("albania", "阿尔巴尼亚")
    not_covered: tuple[str, ...] = ()  # services we do not cover ("esim", "漫游", "哪里买")
    # How much or how often to top up to keep a number alive ("每年最少充多少", "minimum top up"):
    # out of scope (kb-sections.md) even though such a message speaks of expiry and 保号.
    topping_up_to_keep: tuple[str, ...] = ()
    other_account: tuple[str, ...] = ()  # other accounts ("bank account", "银行账户", "revolut")
    cancelling: tuple[str, ...] = ()  # words of ending a number ("注销", "cancel", "停机")
    linking: tuple[str, ...] = ()  # words of an account tied to the number ("解绑", "linked")
    _patterns: dict[str, re.Pattern[str]] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        lists: dict[str, tuple[str, ...]] = {
            "elsewhere": self.elsewhere + _place_cards(self.places, self.place_cards),
            "albania": self.albania,
            "not_covered": self.not_covered + self.topping_up_to_keep,  # the decline says "not covered"
            "topping_up_to_keep": self.topping_up_to_keep,
            "other_account": self.other_account,
            "cancelling": self.cancelling,
            "linking": self.linking,
        }
        for name, words in lists.items():
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
        folding reads "China Mobile number" as "china number". Asking how much or how often to top
        up to keep a number is a top-up question whatever words of expiry it uses.
        """
        names_elsewhere = self._has("elsewhere", canonical) or self._has("elsewhere", normalized)
        if names_elsewhere and not self._has("albania", canonical):
            return OutOfScopeKind.ELSEWHERE
        if self._has("other_account", canonical) and not self._has("linking", canonical):
            return OutOfScopeKind.OTHER_ACCOUNT  # "cancel my debit card"; but "银行账户绑了这个号" is ours
        if self._has("topping_up_to_keep", canonical):
            return OutOfScopeKind.NOT_COVERED  # "想保号，每年最少充多少才不会过期": keeping it, by paying
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


def _place_cards(places: tuple[str, ...], cards: tuple[str, ...]) -> tuple[str, ...]:
    """Each place with each card word of its own script: "英国" + "的sim卡", "uk" + "sim" ("uk sim").

    Not across scripts: the patterns let a space between words go missing ("simcard"), so
    "英国" + " sim" would find "人在英国sim卡怎么注销", where the person is, not the card.
    """
    return tuple(
        f"{place} {card}" if place.isascii() else place + card
        for place in places
        for card in cards
        if place.isascii() == card.isascii()
    )
