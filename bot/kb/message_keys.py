"""Every catalogue sentence the code says, by name: `check` fails when the catalogue lacks one.

A typo in a key is then a mypy error in the code and a `file:line` problem in the catalogue,
not a KeyError in front of a user.
"""

from __future__ import annotations

from enum import StrEnum


class MessageKey(StrEnum):
    """Keys of knowledge/messages.yaml that the code uses."""

    # Conversation
    WELCOME = "welcome"
    HELP = "help"
    STEPS_HEADER = "steps_header"
    CLARIFY = "clarify"
    CLARIFY_CHOOSE_HINT = "clarify_choose_hint"
    DECLINE = "decline"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NON_TEXT = "non_text"
    END_OF_CHAIN = "no_next"
    NO_PREVIOUS = "no_previous"
    NO_CONTEXT = "no_context"
    RELATED_INTRO = "no_detail"
    DETAIL_INTRO = "detail_intro"
    UNKNOWN_STEP = "unknown_step"
    STEP_USAGE = "step_usage"
    ASK_USAGE = "ask_usage"
    LANG_PROMPT = "lang_prompt"
    LANG_SET = "lang_set"
    CONTEXT_HINT = "context_hint"
    PRIVACY_WARNING = "privacy_warning"
    # Small talk
    SMALL_TALK_GREETING = "smalltalk_greeting"
    SMALL_TALK_THANKS = "smalltalk_thanks"
    SMALL_TALK_GOODBYE = "smalltalk_goodbye"
    SMALL_TALK_IDENTITY = "smalltalk_identity"
    SMALL_TALK_ACKNOWLEDGEMENT = "smalltalk_acknowledgement"
    # Labels and buttons
    STEP_LABEL = "step_label"
    STEP_LABEL_ALL = "step_label_all"
    STEP_LABEL_EXTRA = "step_label_extra"
    BUTTON_PREVIOUS = "btn_prev"
    BUTTON_NEXT = "btn_next"
    BUTTON_ALL_STEPS = "btn_all_steps"
    BUTTON_MORE = "btn_more"
    BUTTON_PHRASES = "btn_phrases"
    # The Albanian phrase card
    PHRASES_TITLE = "phrases_title"
    PHRASES_NOTE = "phrases_note"
    # Telegram and the console
    FLOOD = "flood"
    STALE_BUTTON = "stale_button"
    ERROR = "error"
    INLINE_STEPS_TITLE = "inline_steps_title"
    GROUP_INTRO = "group_intro"
    BOT_DESCRIPTION = "bot_description"
    BOT_SHORT_DESCRIPTION = "bot_short_description"
    CONSOLE_INTRO = "console_intro"
    COMMAND_START = "cmd_start"
    COMMAND_HELP = "cmd_help"
    COMMAND_STEPS = "cmd_steps"
    COMMAND_STEP = "cmd_step"
    COMMAND_LANG = "cmd_lang"
    COMMAND_ASK = "cmd_ask"
    COMMAND_PHRASES = "cmd_phrases"
    # Admin
    NOT_ADMIN = "not_admin"
    RELOAD_OK = "reload_ok"
    RELOAD_FAILED = "reload_failed"
    UNANSWERED_EMPTY = "unanswered_empty"
    UNANSWERED_HEADER = "unanswered_header"
    # Issue 16: declines that say what was understood; the one-tap language switch
    DECLINE_ELSEWHERE = "decline_elsewhere"
    DECLINE_NOT_COVERED = "decline_not_covered"
    DECLINE_OTHER_ACCOUNT = "decline_other_account"
    LANG_SWITCH_OFFER = "lang_switch_offer"
    BUTTON_LANG_SWITCH = "btn_lang_switch"
