"""Words around what a short message says: "ok next please", "下一步吧", "第四步是什么".

Follow-ups, language requests and step-only questions all read a short message the same way:
punctuation and these words taken off, what is left is what was asked. One definition here.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[\s!?.,;:~…！？。，；：、\"'“”‘’()（）\[\]【】-]+")
_CONTRACTION = re.compile(r"\b(what|that|it|there|where)['’]s\b")  # "what's next" → "what is next"
# Politeness and question words at the edges: "ok so what about next", "那下一步是什么呢".
_EDGES = re.compile(
    r"^(?:(?:(?:ok|okay|and|so|please|pls|is|the|what|about)\b|好的|好|嗯|那么|那|请|是什么)\s*)*"
    r"|(?:\s*(?:\b(?:please|pls|thanks)\b|谢谢|呢|吧|啊|呀|吗|了|哦|一下|是什么|是啥|怎么做))*$"
)
# What may surround a step reference in a question that asks for nothing but that step:
# "第四步是什么", "what's step 2 about".
STEP_FILLER = re.compile(
    r"是什么意思|什么意思|是什么|是啥|是干嘛的|干嘛的|干嘛|干什么|干啥|讲什么|讲的什么|讲啥|说什么|说的什么|"
    r"做什么|要做什么|怎么做|怎么弄|怎么办|指什么|意思|内容|请问|告诉我|看看|一下|关于|呢|吗|啊|呀|的|了|是|"
    r"\b(?:what|whats|what's|is|the|about|of|do|does|i|how|tell|me|explain|show|again|please|pls|plz|in|this|"
    r"that|guide|are|mean|means|s)\b"
)


def core_of(normalized: str) -> str:
    """A short message without its punctuation and the polite or questioning words at its edges."""
    text = _PUNCTUATION.sub(" ", _CONTRACTION.sub(r"\1 is", normalized)).strip()
    return _EDGES.sub("", text).strip()


# Laughter and hesitation people type around a question in a chat ("哈哈 保号卡怎么注销哈哈",
# "lol how do i cancel"): other assistants' users write them too, so left in they tip a
# question towards the text to decline.
_CHAT_FILLER = re.compile(
    r"(?:哈){2,}|(?:呵){2,}|(?:嘻){2,}|(?:嘿){2,}|(?:嘿嘿)|(?:hh){2,}h*|"
    r"\b(?:(?:ha){2,}h?|(?:he){2,}|lol+|lmao|rofl|xd+|hmm+|umm*|uh+|emm+)\b|[嗯呃额]{2,}"
)


def strip_chat_filler(normalized: str) -> str:
    """The message without laughter and hesitation ("哈哈", "lol", "hmm"); itself if that is all."""
    stripped = re.sub(r"\s+", " ", _CHAT_FILLER.sub(" ", normalized)).strip()
    return stripped or normalized
