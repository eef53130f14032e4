"""Understanding one message: a section, a choice between two or three, small talk, or nothing.

Follow-ups ("下一步", "and then?", "more detail", "2" after a choice) are resolved here too,
from the person's Place (what they were last shown). Language is not decided here: the
conversation service (bot/conversation/service.py) does that, for every kind of turn alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.kb.base import KnowledgeBase, Section, load_knowledge_base
from bot.text.clauses import is_one_word, split_clauses
from bot.text.fillers import STEP_FILLER, strip_chat_filler
from bot.text.normalize import find_step_reference, normalize_text, remove_step_reference
from bot.text.patterns import MAX_QUESTION_CHARS, strip_invisible
from bot.text.small_talk import SmallTalkKind, SmallTalkPhrases, build_small_talk
from bot.understanding.cues import OutOfScopeKind
from bot.understanding.followup import FollowUp, detect_choice, detect_follow_up
from bot.understanding.index_cache import cached_index
from bot.understanding.match import (
    EXAMPLES_NEGATIVE_LABEL,
    MatchSettings,
    Ranking,
    SectionIndex,
    is_section,
    small_talk_kind,
)
from bot.understanding.neighbours import best_whatever_the_vote, blended_best
from bot.understanding.outcomes import (
    Answered,
    Candidate,
    Clarify,
    Declined,
    DeclineReason,
    Notice,
    Outcome,
    SmallTalk,
    View,
)
from bot.understanding.terms import terms

MAX_CHOICES = 3
# What a decline says it understood (bot/understanding/cues.py names the kinds).
_DECLINE_REASONS = {
    OutOfScopeKind.ELSEWHERE: DeclineReason.ELSEWHERE,
    OutOfScopeKind.NOT_COVERED: DeclineReason.NOT_COVERED,
    OutOfScopeKind.OTHER_ACCOUNT: DeclineReason.OTHER_ACCOUNT,
}


@dataclass(frozen=True)
class Place:
    """Where a person is in the guide: the section last shown, the choices last offered."""

    section_id: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionSettings:
    """Thresholds of the decision, tuned with bench/tune.py (dev and held-out sets, negatives)."""

    # Below this share of our topic's words (weighted by rarity), a question needs a topic word.
    min_coverage: float = 0.7
    max_negative_share: float = 0.5  # more of the probability than this on the negative sources: declined
    # … unless the message speaks of ending a number: then the bank-like words around it ("I've
    # sent the cancellation request", "is it immediate or does it take days") need more to win.
    # Not our own out-of-scope examples ("怎么注销支付宝"): they are about ending other things; nor
    # a short message, which has no room for such words ("how do I cancel a transfer").
    min_ending_words: int = 4
    max_negative_share_ending: float = 0.75
    max_foreign: float = 0.25  # uncovered words this much other domains' words: a topic word is not enough
    thin_confidence: float = 0.9  # a one-word Chinese question is answered only this surely
    clarify_ratio: float = 0.5  # a runner-up this probable relative to the best is offered too
    # … but no choices when our own out-of-scope examples are this probable relative to the best
    # (issue 16, round 3: 0.3-0.7 declined one more topic-adjacent question, no on-topic one)
    clarify_negative_ratio: float = 0.7
    confident_above: float = 0.8  # the best this probable: answer, whatever the runner-up
    min_clause_words: int = 2  # a clause with fewer known words is not read as the question
    # A clause (or an unclear message) with more of the probability on other domains: not ours.
    max_clause_negative_share: float = 0.2
    unclear_coverage: float = 0.45  # a message declined with at least this coverage is offered choices
    max_unclear_negative_share: float = 0.01  # … or answered, when one step is sure and no other domain
    one_word_coverage: float = 0.9  # a one-word message is ours when we use the word …
    # … and other domains do not own it ("fee": ours too). 0.75 until round 7 of issue 16, when
    # more text to decline took bare "fee" to 0.76: a one-word message gets choices, not a decline.
    max_one_word_negative_share: float = 0.85
    # An English message the naive Bayes gives to other domains is ours after all when the topic
    # model (bot/understanding/topic_model.py) is this sure: chosen by cross-validation on the
    # English training texts alone, as the threshold that lets 0.8 % of held-out negatives through
    # (round 4 of issue 16: 0.92, recalling 77 % of examples; round 5, with twice the examples and
    # the everyday chat to decline: 0.96, recalling 68 %, where 0.92 let 1.7 % through).
    second_opinion: float = 0.96
    # A word of a service we do not cover (开卡, 儲值) declines a message whatever else it says,
    # unless one step is this sure and the negative sources hold no more than
    # max_unclear_negative_share (round 7 of issue 16: "开卡用的是旧护照，还能办吗" was declined).
    cue_outweighed_above: float = 0.95
    # In the middle of the guide (a section shown in the last 30 minutes), a message otherwise
    # declined as off-topic, most like a step next to that section, gets choices unless other
    # domains hold more than this of it (round 9 of issue 16, before the neighbours' vote: 0.95
    # rescued 18 of 81, 0.98 21, 0.995 30).
    max_negative_share_in_conversation: float = 0.995
    # The say of the nearest examples' vote against the naive Bayes's, over the steps offered
    # (bot/understanding/neighbours.py; round 9 of issue 16: 0.5 measured best of 0.2, 0.3, 0.5).
    neighbours_say: float = 0.5


@dataclass(frozen=True)
class Responder:
    """The knowledge base, its index and its small talk: swapped as one on reload."""

    kb: KnowledgeBase
    index: SectionIndex
    small_talk: SmallTalkPhrases
    settings: DecisionSettings = DecisionSettings()

    def understand(self, text: str, place: Place = Place()) -> Outcome:
        """What to do with `text` from a person whose place in the guide is `place`."""
        if not strip_invisible(text).strip():
            return Declined(DeclineReason.EMPTY)
        if len(text) > MAX_QUESTION_CHARS:
            return Declined(DeclineReason.TOO_LONG)
        normalized = normalize_text(text)
        if not normalized:
            return Declined(DeclineReason.EMPTY)
        return (
            self._choice(normalized, place)
            or self._follow_up(normalized, place)
            or self._small_talk(normalized)
            or self._step_only(normalized)
            or self._matched(
                strip_chat_filler(self.small_talk.strip_leading(normalized)),
                place,
            )
        )

    def show(self, section_id: str, view: View = View.SECTION) -> Answered:
        """Show one known section (deep links, buttons, /step)."""
        if view is View.SUBSTEPS and not self.kb.section(section_id).substeps:
            view = View.RELATED
        return Answered(section_id, view, candidates=(Candidate(section_id, 1.0),))

    def show_step(self, label: str) -> Answered | Declined:
        """The first section labelled `label` ("4", "4.1"), or why there is none."""
        sections = self.kb.sections_with_step(label)
        if not sections:
            return Declined(DeclineReason.UNKNOWN_STEP, step=label)
        return self.show(sections[0].id)

    def rank(self, text: str, limit: int | None = None) -> Ranking:
        """Labels scored for a raw question (sections and negative sources); see SectionIndex.rank."""
        return self.index.rank(normalize_text(text), limit=limit)

    def suggest(self, text: str, limit: int) -> list[str]:
        """Sections to offer for a search-like query (inline mode): none when it is off-topic."""
        outcome = self._matched(normalize_text(text))
        if isinstance(outcome, Declined | SmallTalk):
            return []
        return [candidate.id for candidate in outcome.candidates][:limit]

    # --- the stages of understand(), each returning None when it does not apply ----------------

    def _choice(self, normalized: str, place: Place) -> Outcome | None:
        number = detect_choice(normalized)
        if number is None:
            return None
        if not place.choices:  # a bare "4" with no choices pending: step 4, if there is one
            step = self.show_step(str(number))
            return step if isinstance(step, Answered) else None
        if number > len(place.choices) or not self.kb.has_section(place.choices[number - 1]):
            return None
        return self.show(place.choices[number - 1])

    def _follow_up(self, normalized: str, place: Place) -> Outcome | None:
        kind = detect_follow_up(normalized)
        if kind is None:
            return None
        current = place.section_id if place.section_id and self.kb.has_section(place.section_id) else None
        if current is None:
            pending = [choice for choice in place.choices if self.kb.has_section(choice)]
            if pending and kind is not FollowUp.PREVIOUS:  # after a "did you mean": go on from the first
                return self.show(pending[0])
            return Declined(DeclineReason.NO_CONTEXT)
        section = self.kb.section(current)
        if kind is FollowUp.DETAIL:
            return self.show(section.id, View.SUBSTEPS)
        target = section.next if kind is FollowUp.NEXT else section.previous
        if target is None:
            notice = Notice.END_OF_CHAIN if kind is FollowUp.NEXT else Notice.NO_PREVIOUS
            return Answered(section.id, notice=notice, candidates=(Candidate(section.id, 1.0),))
        return self.show(target)

    def _small_talk(self, normalized: str) -> Outcome | None:
        kind = self.small_talk.detect(normalized)
        return SmallTalk(kind) if kind is not None else None

    def _step_only(self, normalized: str) -> Outcome | None:
        label = find_step_reference(normalized)
        if label is None:
            return None
        rest = STEP_FILLER.sub(" ", remove_step_reference(normalized))
        if terms(rest):
            return None  # more was asked than the step: the matcher weighs it among that step's sections
        return self.show_step(label)

    def _matched(self, normalized: str, place: Place = Place()) -> Answered | Clarify | Declined | SmallTalk:
        ranking = self.index.rank(normalized)
        outcome = self._decided(normalized, place, ranking)
        return self._with_neighbours_vote(outcome, normalized, ranking)

    def _with_neighbours_vote(
        self, outcome: Answered | Clarify | Declined | SmallTalk, normalized: str, ranking: Ranking
    ) -> Answered | Clarify | Declined | SmallTalk:
        """The outcome with its first step chosen again among the two or three offered, the naive
        Bayes blended with the vote of the nearest examples (bot/understanding/neighbours.py).

        Never for an example written exactly (the naive Bayes already knows it), a decline, or
        the overview: a question about the whole process ("I left Albania and want to close my
        line, what do I do") is worded like the examples of the one step it mentions.
        """
        match outcome:
            case Answered(section_id=answered, candidates=candidates) if (
                answered != self.kb.overview.id and ranking.exact is None
            ):
                offered = [answered, *(c.id for c in candidates if c.id != answered)][:MAX_CHOICES]
                best = self._blended_best(offered, normalized, ranking)
                return outcome if best in (None, answered) else replace(outcome, section_id=best)
            case Clarify(candidates=candidates):
                best = self._blended_best([c.id for c in candidates], normalized, ranking)
                if best is None or best == candidates[0].id:
                    return outcome
                return Clarify(
                    (*(c for c in candidates if c.id == best), *(c for c in candidates if c.id != best))
                )
        return outcome

    def _blended_best(self, offered: list[str], normalized: str, ranking: Ranking) -> str | None:
        if len(offered) < 2 or not self.settings.neighbours_say:
            return None
        naive_bayes = {label.id: label.score for label in ranking.labels}
        sure = best_whatever_the_vote(offered, naive_bayes, self.settings.neighbours_say)
        if sure is not None:
            return sure
        votes = self.index.neighbour_votes(normalized, offered)
        return blended_best(offered, naive_bayes, votes, self.settings.neighbours_say)

    def _decided(
        self, normalized: str, place: Place, ranking: Ranking
    ) -> Answered | Clarify | Declined | SmallTalk:
        label = find_step_reference(normalized)
        canonical = self.kb.synonyms.canonicalize(normalized)
        certain = None if label else self.kb.out_of_scope_cues.certain(canonical, normalized)
        if certain is not None and not self._cue_outweighed(certain, ranking):
            # another country's SIM, a top-up, a bank account: whatever else it says
            return Declined(_DECLINE_REASONS[certain])
        ending = (
            self.kb.out_of_scope_cues.ends_a_number(canonical)
            and ranking.chinese_words + ranking.english_words >= self.settings.min_ending_words
        )
        if not label and self._off_topic(ranking, False, ending):
            ranking = self._question_ranking(normalized) or ranking
        ranked = {item.id for item in ranking.labels}
        in_step = {s.id for s in self.kb.sections if label and _in_step(s, label) and s.id in ranked}
        # A question that names a step is about that step: "第二步的银行卡解绑", "4.4 怎么验证".
        scored = [
            Candidate(item.id, item.score) for item in ranking.labels if not in_step or item.id in in_step
        ]
        scored.sort(key=lambda candidate: -candidate.score)
        sections = [candidate for candidate in scored if is_section(candidate.id)]
        if not sections:  # an index without sections (never the real one): nothing to offer
            return Declined(DeclineReason.OFF_TOPIC)
        shown = tuple(Candidate(c.id, round(c.score, 4)) for c in sections[:MAX_CHOICES])
        talk = _small_talk_of(ranking)
        if talk is not None and not in_step and not ranking.topic_words:
            return SmallTalk(talk)  # "would you tell me your name", "how old are you"
        if self._off_topic(ranking, bool(in_step), ending) and not self._ours_on_second_opinion(ranking):
            if self._unclear_but_ours(ranking, normalized):
                # Ours, clearly one step, and nothing of other domains in it ("點知佢真係銷咗":
                # few words we know, all of one step): the answer, not a choice of one. A single
                # word still gets its choices, and so does "how long does pizza take, call me".
                # (Round 3 of issue 16: zh-Hant "did you mean" on holdout6 0.132 → 0.029, top-1 the same.)
                if (
                    not is_one_word(normalized)
                    and shown[0].score >= self.settings.confident_above
                    and ranking.negative_share <= self.settings.max_unclear_negative_share
                ):
                    return Answered(shown[0].id, candidates=shown)
                return Clarify(shown)
            declined = self._declined(canonical, shown)
            if self._ours_in_conversation(ranking, declined, shown[0].id, place):
                return Clarify(shown)
            return declined
        if ranking.exact is not None and is_section(ranking.exact) and not in_step:  # as an example of it
            return Answered(ranking.exact, candidates=shown)
        best = sections[0]
        if best.score < self.settings.confident_above and ranking.generic and not in_step:
            # "how do I cancel my SIM": nothing but words every step uses. The whole guide answers it.
            return Answered(self.kb.overview.id, candidates=shown)
        close = [c for c in sections[:MAX_CHOICES] if c.score >= best.score * self.settings.clarify_ratio]
        if len(close) > 1 and best.score < self.settings.confident_above:
            # Unsure which step, and about as sure it is none ("阿尔巴尼亚的首都是哪里"): not ours.
            if _score(ranking, EXAMPLES_NEGATIVE_LABEL) >= best.score * self.settings.clarify_negative_ratio:
                return self._declined(canonical, shown)
            return Clarify(tuple(Candidate(c.id, round(c.score, 4)) for c in close))
        return Answered(best.id, candidates=shown)

    def _cue_outweighed(self, certain: str, ranking: Ranking) -> bool:
        """A service word (开卡, 儲值, topup) in a message that is plainly one step of ours.

        "开卡用的是旧护照，还能办吗" (the card was registered with an old passport) and "卡裡還有一點
        儲值金，會不會卡住申請" (credit left on it) use the words of opening and topping up a card, and
        the index is sure they are store-documents and submit-request, with nothing of the negative
        sources. Another country's operator is never outweighed, nor another account: with a
        bank's name allowed too, "银行卡丢了怎么挂失" was answered with lost-card.
        """
        return (
            certain == OutOfScopeKind.NOT_COVERED
            and ranking.negative_share <= self.settings.max_unclear_negative_share
            and _best_section(ranking) >= self.settings.cue_outweighed_above
        )

    def _declined(self, canonical: str, shown: tuple[Candidate, ...]) -> Declined:
        """A decline that says what the message seems to be about, where its words tell."""
        likely = self.kb.out_of_scope_cues.likely(canonical)
        return Declined(_DECLINE_REASONS[likely] if likely else DeclineReason.OFF_TOPIC, candidates=shown)

    def _question_ranking(self, normalized: str) -> Ranking | None:
        """The ranking of the clause that reads as our question, when the whole message does not.

        A story, thanks or a greeting around a question brings words we do not know, or words
        other assistants' users write, into the message: judged whole, it reads as off-topic.
        A clause that is on-topic by itself, clearly ours and clearly about one step, is the
        question ("好嘞 多谢 | 那搞完之后还有啥要收尾的不").
        """
        best: Ranking | None = None
        # Each clause, and the message without the thanks at its end ("保号卡怎么注销唔该晒").
        for clause in dict.fromkeys([*split_clauses(normalized), self.small_talk.strip_around(normalized)]):
            if self.small_talk.detect(clause) is not None:
                continue  # "没关系，那就帮我推荐一个景点": an acknowledgement is not the question
            ranking = self.index.rank(clause)
            if (
                ranking.chinese_words + ranking.english_words < self.settings.min_clause_words
                or ranking.negative_share > self.settings.max_clause_negative_share
                or self._off_topic(ranking, False)
            ):
                continue
            if best is None or _best_section(ranking) > _best_section(best):
                best = ranking
        return best

    def _ours_on_second_opinion(self, ranking: Ranking) -> bool:
        """An English message read as another domain's that the topic model is sure is ours.

        Only where the naive Bayes is known to be drowned (module docstring of topic_model.py):
        English words, known ones, none of them an example of text to decline written exactly.
        """
        return (
            ranking.chinese_words == 0
            and ranking.evidence
            and ranking.exact is None
            and ranking.ours >= self.settings.second_opinion
        )

    def _unclear_but_ours(self, ranking: Ranking, normalized: str) -> bool:
        """A message in our words that is not clear enough to answer: a "did you mean", not a decline.

        One word of ours (余额, 护照, 退款, fee) is a question about it, even a word bank
        customers use too: the choices let the person say which. A vague question is ours when
        most of its words are ones our sections use and little says it is another assistant's.
        """
        if not ranking.evidence or ranking.exact is not None:
            return False
        if is_one_word(normalized):
            return (
                ranking.coverage >= self.settings.one_word_coverage
                and ranking.negative_share <= self.settings.max_one_word_negative_share
            )
        if self._too_thin(ranking):  # one word of ours among others: "帮我写个邮件"
            return False
        return (
            ranking.coverage >= self.settings.unclear_coverage
            and ranking.negative_share <= self.settings.max_clause_negative_share
        )

    def _ours_in_conversation(self, ranking: Ranking, declined: Declined, best: str, place: Place) -> bool:
        """A message that would be declined, from someone in the middle of the guide: choices instead.

        Mid-conversation people ask without naming the topic ("how long does it take to go
        through", "must go to the store myself or not"); taken alone such a message reads as a
        bank customer's. When the step it is most like is next to the one they were last shown,
        it is a question about where they are. A decline with a reason (another country's card,
        a top-up, a bank account) stands, and so does a message whose words are not mostly ours
        ("how long does pizza take"), one that is another domain's text word for word, or one
        other domains hold nearly all of. (Round 9 of issue 16, with every writer and tuning set
        taken out of the examples: of 81 such on-topic questions asked after the step before
        theirs, 14 get choices, 11 with the right step first, all 14 with it among them; 1.5 % of
        the topic-adjacent text to decline gets choices instead. Without the coverage condition
        25 and 3.1 %, and "how long does pizza take" got choices.)
        """
        return (
            place.section_id is not None
            and self.kb.has_section(place.section_id)
            and best in self._around(place.section_id)
            and declined.reason is DeclineReason.OFF_TOPIC
            and ranking.evidence
            and ranking.coverage >= self.settings.min_coverage
            and ranking.exact is None
            and ranking.negative_share <= self.settings.max_negative_share_in_conversation
        )

    def _around(self, section_id: str) -> set[str]:
        """The section, the steps before and after it, its parent, children and related topics."""
        section = self.kb.section(section_id)
        steps = {section.id, section.next, section.previous, section.parent}
        return {found for found in steps if found is not None} | {*section.children, *section.related}

    def _too_thin(self, ranking: Ranking) -> bool:
        """A Chinese message with at most one word we know, no topic word and no clear step.

        Chinese questions about our topic have several words ("营业厅要带什么"); one word such
        as 邮件 or 地址 is too little to pick a step. (Short English questions are common and
        in scope — "how do I know it worked" — so the rule is for Chinese only.)
        """
        return (
            ranking.english_words == 0
            and ranking.chinese_words <= 1
            and not ranking.topic_words
            and ranking.labels[0].score < self.settings.thin_confidence
        )

    def _off_topic(self, ranking: Ranking, names_a_step: bool, ending: bool = False) -> bool:
        """Decline when the negative sources explain the question better, or its words are not ours.

        `ending`: the message speaks of ending a number, so other domains need a clearer lead.
        """
        if names_a_step:
            return False
        if ranking.exact is not None:
            return not is_section(ranking.exact)
        limit = self.settings.max_negative_share_ending if ending else self.settings.max_negative_share
        if (
            not ranking.evidence
            or ranking.negative_share > limit
            or _score(ranking, EXAMPLES_NEGATIVE_LABEL) > self.settings.max_negative_share
        ):
            return True
        if self._too_thin(ranking):
            return True
        if ranking.coverage >= self.settings.min_coverage:
            return False
        return not ranking.topic_words or ranking.foreign >= self.settings.max_foreign


def _small_talk_of(ranking: Ranking) -> SmallTalkKind | None:
    """The small talk a ranking reads as: its first label, or the likeliest kind of small talk
    when small talk together outweighs every step ("OK，我清楚了，真是太谢谢你了！": other domains
    first, thanks a close second, the steps far behind; once the examples held people's thanks
    around their questions, such a message was answered with a step)."""
    first = small_talk_kind(ranking.labels[0].id)
    if first is not None:
        return first
    talk = [(item.score, kind) for item in ranking.labels if (kind := small_talk_kind(item.id)) is not None]
    steps = sum(item.score for item in ranking.labels if is_section(item.id))
    if not talk or sum(score for score, _ in talk) <= steps:
        return None
    return max(talk, key=lambda scored: scored[0])[1]


def _score(ranking: Ranking, label: str) -> float:
    return next((item.score for item in ranking.labels if item.id == label), 0.0)


def _best_section(ranking: Ranking) -> float:
    return next((item.score for item in ranking.labels if is_section(item.id)), 0.0)


def _in_step(section: Section, label: str) -> bool:
    return section.step == label or section.step.startswith(label + ".")


def build_responder(
    kb: KnowledgeBase,
    match: MatchSettings = MatchSettings(),
    decision: DecisionSettings = DecisionSettings(),
    cache_dir: Path | None = None,
) -> Responder:
    """Index a knowledge base and wrap it, with its small talk, for answering.

    With `cache_dir`, an index saved there by an earlier start is reused when it was built from
    the very same knowledge base and code (bot/understanding/index_cache.py).
    """
    index = cached_index(kb, match, cache_dir)
    return Responder(kb, index, build_small_talk(kb.small_talk, normalize_text), decision)


def load_responder_from(kb_dir: Path, cache_dir: Path | None) -> Responder:
    """Load the knowledge base in `kb_dir` and build its responder, reusing what `cache_dir`
    keeps between starts (the zh-Hant conversions, the index); every front end starts here."""
    return build_responder(load_knowledge_base(kb_dir, cache_dir), cache_dir=cache_dir)


def load_serving_responder(kb_dir: Path, cache_dir: Path | None) -> Responder:
    """load_responder_from() for a bot that runs for days: once the index is built, its
    knowledge base keeps no training texts (KnowledgeBase.for_answering); they are freed
    before the people it serves need the memory."""
    responder = load_responder_from(kb_dir, cache_dir)
    return replace(responder, kb=responder.kb.for_answering())
