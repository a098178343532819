"""The bot's own sentences, in every language it answers in."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "not_said": "The article doesn't say.",
        "meta_help": "I answer questions about one news story and quote it, with paragraph "
                     "numbers, to prove every answer. Ask in your own words; /help has more.",
        "meta_hello": "Hi! Ask me anything about the story in your own words.",
        "meta_thanks": "You're welcome! Ask me anything else about the story.",
        "not_said_part": "The article doesn't say: {question}",
        "not_sure_hint": "I can answer questions like these:",
        "article_says": "The article doesn't answer that directly; this is the closest passage.",
        "empty": "Ask me a question about the article, for example: {example}",
        "too_long": "That message is too long to be one question; please ask a shorter one.",
        "paragraph": "paragraph {number}",
        "part": "Part {number}",
        # Telegram front end (bot/handlers.py, bot/keyboards.py)
        "greeting": "Hi! I answer questions about one news story and prove every answer "
                    "with the story's own words.\nAsk in your own words, in English or Russian.",
        "knows_about": "I know about “{title}” ({source}).",
        "try_these": "Try one of these:",
        "help": "Ask me anything about the story in your own words: just type the question "
                "(or /ask QUESTION). Every answer quotes the article word for word, with the "
                "paragraph number.\n\n"
                "/topics shows what I can answer, /source the article and how paragraphs are "
                "numbered, /why how I picked the last answer.\n\n"
                "In groups I answer /ask QUESTION, a message that mentions @{username}, or a "
                "reply to one of my messages; I stay quiet otherwise.\n\n"
                "In any chat, type @{username} and a question to share an answer inline.",
        "ask_hint": "Put the question after /ask, for example: /ask {example}",
        "not_text": "I can only read text: please type your question about the article.",
        "unknown_command": "I don't know that command; try /help.",
        "apology": "Sorry, something went wrong on my side. Please try again in a moment.",
        "slow_down": "You're asking faster than I can answer; please wait a minute and try again.",
        "pick_topic": "What would you like to know about? Pick a topic:",
        "topic_questions": "{topic}: tap a question.",
        "other_topic": "Other questions",
        "back": "« All topics",
        "full_paragraph": "Full paragraph",
        "full_paragraph_n": "Full paragraph {number}",
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "feedback_thanks": "Thanks for the feedback",
        "stale_button": "This button is out of date; please ask again.",
        "why_first": "Ask me something first; then /why shows how I chose the answer.",
        "why_reply": "Reply /why to one of my answers to see how I chose it.",
        "why_forgotten": "I no longer remember that answer; please ask again.",
        "source": "“{title}” ({source}{date}).",
        "numbering": "Citations give paragraph numbers: the article's non-empty lines, counted "
                     "from 1, so the headline is paragraph 1.",
        "recording_off": "Recording is off, so there are no statistics.",
        "reloaded": "Reloaded: {articles} article(s), {entries} entries.",
        "reload_failed": "The knowledge base has errors; I keep serving the previous one.",
        "cmd_start": "What I know about, with example questions",
        "cmd_help": "How to ask, in groups and inline",
        "cmd_ask": "Ask a question about the article",
        "cmd_topics": "Browse the questions I can answer",
        "cmd_source": "The article and how paragraphs are numbered",
        "cmd_why": "How I chose the last answer",
    },
    "ru": {
        "not_said": "В статье об этом не говорится.",
        "meta_help": "Я отвечаю на вопросы об одной новости и подтверждаю каждый ответ "
                     "цитатой с номером абзаца. Спрашивайте своими словами; подробнее — /help.",
        "meta_hello": "Здравствуйте! Спрашивайте о новости своими словами.",
        "meta_thanks": "Пожалуйста! Спрашивайте ещё.",
        "not_said_part": "В статье об этом не говорится: {question}",
        "not_sure_hint": "Я могу ответить на такие вопросы:",
        "article_says": "Прямого ответа в статье нет; вот ближайший отрывок.",
        "empty": "Задайте вопрос о статье, например: {example}",
        "too_long": "Сообщение слишком длинное для одного вопроса; спросите короче.",
        "paragraph": "абзац {number}",
        "part": "Часть {number}",
        "greeting": "Привет! Я отвечаю на вопросы об одной новостной статье и подтверждаю "
                    "каждый ответ её собственными словами.\nСпрашивайте своими словами, "
                    "по-русски или по-английски.",
        "knows_about": "Я знаю статью «{title}» ({source}).",
        "try_these": "Попробуйте спросить:",
        "help": "Спрашивайте о статье своими словами: просто напишите вопрос (или /ask ВОПРОС). "
                "Каждый ответ дословно цитирует статью с номером абзаца.\n\n"
                "/topics покажет, на что я могу ответить, /source — статью и нумерацию абзацев, "
                "/why — как я выбрал последний ответ.\n\n"
                "В группах я отвечаю на /ask ВОПРОС, на сообщения с упоминанием @{username} и на "
                "ответы на мои сообщения; на остальное молчу.\n\n"
                "В любом чате наберите @{username} и вопрос, чтобы поделиться ответом.",
        "ask_hint": "Напишите вопрос после /ask, например: /ask {example}",
        "not_text": "Я понимаю только текст: напишите, пожалуйста, вопрос о статье.",
        "unknown_command": "Я не знаю такой команды; попробуйте /help.",
        "apology": "Извините, у меня что-то сломалось. Попробуйте ещё раз чуть позже.",
        "slow_down": "Вы спрашиваете быстрее, чем я успеваю отвечать; подождите минуту.",
        "pick_topic": "Что вас интересует? Выберите тему:",
        "topic_questions": "{topic}: выберите вопрос.",
        "other_topic": "Другие вопросы",
        "back": "« Все темы",
        "full_paragraph": "Весь абзац",
        "full_paragraph_n": "Весь абзац {number}",
        "helpful": "👍 Полезно",
        "not_helpful": "👎 Бесполезно",
        "feedback_thanks": "Спасибо за отзыв",
        "stale_button": "Эта кнопка устарела; спросите ещё раз.",
        "why_first": "Сначала задайте вопрос; потом /why покажет, как я выбрал ответ.",
        "why_reply": "Ответьте /why на одно из моих сообщений, чтобы увидеть, как я выбрал ответ.",
        "why_forgotten": "Я уже не помню этот ответ; спросите ещё раз.",
        "source": "«{title}» ({source}{date}).",
        "numbering": "Цитаты указывают номер абзаца: непустые строки статьи, считая с 1, "
                     "так что заголовок — абзац 1.",
        "recording_off": "Запись выключена, статистики нет.",
        "reloaded": "Перезагружено: статей {articles}, записей {entries}.",
        "reload_failed": "В базе знаний ошибки; продолжаю работать со старой.",
        "cmd_start": "О чём я знаю, с примерами вопросов",
        "cmd_help": "Как спрашивать, в группах и inline",
        "cmd_ask": "Задать вопрос о статье",
        "cmd_topics": "Вопросы, на которые я могу ответить",
        "cmd_source": "Статья и нумерация абзацев",
        "cmd_why": "Как я выбрал последний ответ",
    },
}


def phrase(language: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``language`` (English when there is no translation)."""
    table = PHRASES.get(language, PHRASES["en"])
    return table.get(key, PHRASES["en"][key]).format(**values)
