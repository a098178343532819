"""The bot's own sentences, in every language it answers in."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "not_said": "The article doesn't say.",
        "not_said_part": "The article doesn't say: {question}",
        "not_sure_hint": "I can answer questions like these:",
        "article_says": "The article doesn't answer that directly; this is the closest passage.",
        "empty": "Ask me a question about the article, for example: {example}",
        "too_long": "That message is too long to be one question; please ask a shorter one.",
        "paragraph": "paragraph {number}",
        "part": "Part {number}",
    },
    "ru": {
        "not_said": "В статье об этом не говорится.",
        "not_said_part": "В статье об этом не говорится: {question}",
        "not_sure_hint": "Я могу ответить на такие вопросы:",
        "article_says": "Прямого ответа в статье нет; вот ближайший отрывок.",
        "empty": "Задайте вопрос о статье, например: {example}",
        "too_long": "Сообщение слишком длинное для одного вопроса; спросите короче.",
        "paragraph": "абзац {number}",
        "part": "Часть {number}",
    },
}


def phrase(language: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``language`` (English when there is no translation)."""
    table = PHRASES.get(language, PHRASES["en"])
    return table.get(key, PHRASES["en"][key]).format(**values)
