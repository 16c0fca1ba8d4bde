"""What a customer's reply means, read the way people write on a building site.

One table holds every rule: a keyword counts when it opens the reply and only punctuation,
quotes or a courtesy follow it ("stop, grazie", "Stop per favore", "«STOP»", "Info?"); a score
is a number from 0 to 10 in digits or in words, Italian or English, any case ("Nove", "dieci",
"7/10", "8 su 10"). While the crew is on its way, "1"/"OK"/"CONFERMO" confirms someone will receive
the machine and "2"/"FUNZIONA" says it works again (`answer_read`). Anything else is a message for
the dispatcher."""

import re
from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    SCORE = "score"
    # The customer chooses where our texts go.
    CHOOSE_WHATSAPP = "choose_whatsapp"
    CHOOSE_SMS = "choose_sms"
    # Answers to the arrival-time text's options; they act only while the crew is awaited.
    CONFIRM = "confirm"  # someone will be on site to receive the machine
    WORKS = "works"  # it works again: the dispatcher may cancel
    MESSAGE = "message"


# The keywords carriers and Twilio honour, in both languages, and what each means.
KEYWORDS: dict[str, Meaning] = {
    **dict.fromkeys(
        ["stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "optout", "opt out"],
        Meaning.OPT_OUT,
    ),
    **dict.fromkeys(
        ["annulla", "ferma", "disiscrivi", "disiscrivimi", "basta", "cancella", "stop tutto"], Meaning.OPT_OUT
    ),
    **dict.fromkeys(["start", "unstop", "avvia", "riattiva"], Meaning.OPT_IN),
    **dict.fromkeys(["help", "info", "informazioni", "aiuto"], Meaning.HELP),
    **dict.fromkeys(["whatsapp", "whats app"], Meaning.CHOOSE_WHATSAPP),
    **dict.fromkeys(["sms"], Meaning.CHOOSE_SMS),
    **dict.fromkeys(["ok", "okay", "confermo", "confermato", "confirm", "confirmed", "yes"], Meaning.CONFIRM),
    **dict.fromkeys(
        ["funziona", "ora funziona", "funziona ora", "works", "it works", "works again", "fixed"],
        Meaning.WORKS,
    ),
}
# The numbered options of the arrival-time text ("reply 1 ..., 2 ..."): a bare 1 or 2 is read as a
# score first, and is an answer only when no survey is open.
OPTIONS: dict[int, Meaning] = {1: Meaning.CONFIRM, 2: Meaning.WORKS}

# Words that may follow a keyword or a score without changing what the reply means.
COURTESY = frozenset(
    {
        *("grazie", "mille", "tante", "per", "favore", "piacere", "cortesia", "cortesemente", "prego"),
        *("ciao", "saluti", "cordiali", "buongiorno", "buonasera"),
        *("please", "pls", "thanks", "thank", "you", "cheers"),
    }
)

ITALIAN_NUMBERS = ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci")
ENGLISH_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
SCORE_WORDS: dict[str, int] = {
    **{word: value for value, word in enumerate(ITALIAN_NUMBERS)},
    **{word: value for value, word in enumerate(ENGLISH_NUMBERS)},
    "un": 1,
    "una": 1,
}

# "7/10", "8 su 10", "9 out of 10": the scale after the score is not part of the answer.
_OUT_OF_TEN = re.compile(r"\s*(?:/|\bsu\b|\bout of\b)\s*(?:10|dieci|ten)\b")
_WORDS = re.compile(r"-?[0-9]+|[^\W\d_]+")


@dataclass(frozen=True)
class Reading:
    meaning: Meaning
    score: int | None = None


def _only_courtesy(words: list[str]) -> bool:
    return all(word in COURTESY for word in words)


def reply_read(body: str) -> Reading:
    """What the customer meant by `body`."""
    text = _OUT_OF_TEN.sub(" ", body.casefold())
    words = _WORDS.findall(text)
    for length in (2, 1):
        head = " ".join(words[:length])
        if len(words) >= length and head in KEYWORDS and _only_courtesy(words[length:]):
            return Reading(KEYWORDS[head])
    if words and _only_courtesy(words[1:]):
        first = words[0]
        score = int(first) if first.isdigit() else SCORE_WORDS.get(first)
        if score is not None and 0 <= score <= 10:
            return Reading(Meaning.SCORE, score)
    return Reading(Meaning.MESSAGE)


def answer_read(reading: Reading) -> Meaning | None:
    """The option of the arrival-time text this reply picks (CONFIRM or WORKS), if any."""
    if reading.meaning in (Meaning.CONFIRM, Meaning.WORKS):
        return reading.meaning
    if reading.meaning == Meaning.SCORE and reading.score is not None:
        return OPTIONS.get(reading.score)
    return None
