"""What a photo, sticker, voice note ... message carries (file ids are unique but fetch nothing)."""

from __future__ import annotations

from typing import Literal

from fake_telegram.wire import JSON

MediaKind = Literal[
    "photo", "sticker", "voice", "audio", "document", "video", "animation", "location", "contact"
]
NO_CAPTION = frozenset({"sticker", "location", "contact"})
_STICKER = {"width": 512, "height": 512, "emoji": "👍", "is_animated": False, "is_video": False}
# Each kind's Message field and what Telegram puts in it besides the file ids.
_FIELDS: dict[str, JSON] = {
    "sticker": _STICKER | {"type": "regular"},
    "voice": {"duration": 3, "mime_type": "audio/ogg"},
    "audio": {"duration": 3, "mime_type": "audio/mpeg", "title": "Song"},
    "document": {"file_name": "document.pdf", "mime_type": "application/pdf"},
    "video": {"duration": 3, "width": 640, "height": 360, "mime_type": "video/mp4"},
    "animation": {"duration": 3, "width": 320, "height": 240, "mime_type": "video/mp4"},
}


def media_content(kind: MediaKind, sender: JSON, serial: int) -> JSON:
    """The Message fields of one media message; `serial` keeps its file ids unique."""

    def file(width: int = 0) -> JSON:
        number = f"{serial:06d}{width or ''}"
        ids: JSON = {
            "file_id": f"AgACAgQ{kind}{number}",
            "file_unique_id": f"AQAD{number}",
            "file_size": 2048,
        }
        return ids | ({"width": width, "height": width * 3 // 4} if width else {})

    if kind == "photo":
        return {"photo": [file(90), file(320), file(800)]}
    if kind == "location":
        return {"location": {"latitude": 41.327953, "longitude": 19.819025}}
    if kind == "contact":
        phone = "+355690000000"
        return {
            "contact": {"phone_number": phone, "first_name": sender["first_name"], "user_id": sender["id"]}
        }
    if kind not in _FIELDS:
        raise ValueError(f"unknown media kind {kind!r}")
    content: JSON = {kind: _FIELDS[kind] | file()}
    if kind == "animation":  # Telegram sends an animation as a document too
        content["document"] = file() | {"mime_type": "video/mp4", "file_name": "animation.mp4"}
    return content
