"""Replies read like people write them: every variant the reply table must understand.
(What they do when they arrive through Twilio's signed webhook: test_webhooks.py.)"""

import pytest

from notifications.replies import Meaning, Reading, answer_read, reply_read

OPT_OUTS = [
    "STOP",
    "stop",
    "Stop.",
    "STOP!!!",
    "stop, grazie",
    "Stop per favore",
    "stop grazie mille",
    "STOP please",
    "Stop, thank you",
    "«STOP»",
    "“Stop”",
    '"stop"',
    "  stop  ",
    "Stop all",
    "STOPALL",
    "UNSUBSCRIBE",
    "cancel",
    "END",
    "quit",
    "annulla",
    "ANNULLA, grazie",
    "Annulla per cortesia",
    "FERMA",
    "Basta.",
    "basta grazie",
    "DISISCRIVI",
    "disiscrivimi per favore",
    "cancella",
    "Stop tutto",
]
OPT_INS = ["START", "start", "Start, grazie", "UNSTOP", "avvia", "RIATTIVA per favore"]
HELPS = [
    "HELP",
    "help?",
    "Info",
    "Info?",
    "INFO!",
    "info per favore",
    "Informazioni",
    "informazioni?",
    "AIUTO",
]
SCORES = [
    ("0", 0),
    ("10", 10),
    (" 9 ", 9),
    ("7/10", 7),
    ("8 / 10", 8),
    ("8 su 10", 8),
    ("9 out of 10", 9),
    ("10!", 10),
    ("9, grazie", 9),
    ("zero", 0),
    ("Zero", 0),
    ("uno", 1),
    ("due", 2),
    ("tre", 3),
    ("quattro", 4),
    ("cinque", 5),
    ("sei", 6),
    ("sette", 7),
    ("otto", 8),
    ("Nove", 9),
    ("nove", 9),
    ("NOVE", 9),
    ("dieci", 10),
    ("Dieci!", 10),
    ("dieci su dieci", 10),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("Four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("NINE", 9),
    ("ten", 10),
    ("Ten, thanks", 10),
]
# Answers to the arrival-time text: "Reply 1 if someone will receive it, 2 if it works again".
CONFIRMS = [
    "1",
    " 1 ",
    "1, grazie",
    "OK",
    "ok",
    "Ok!",
    "ok grazie",
    "Okay",
    "CONFERMO",
    "Confermo.",
    "confermato",
    "CONFIRM",
    "confirmed",
    "YES",
    "yes please",
    "uno",
]
WORKS = [
    "2",
    "2!",
    "FUNZIONA",
    "funziona",
    "Funziona, grazie",
    "ora funziona",
    "Funziona ora!",
    "WORKS",
    "it works",
    "Works again",
    "FIXED",
    "fixed, thanks",
    "due",
    "two",
]
MESSAGES = [
    "Stop the crew, we fixed it ourselves",  # a keyword followed by more than courtesy
    "annulla l'intervento, abbiamo risolto",
    "Info sull'orario?",
    "11",
    "-1",
    "9 o 10",
    "quando arrivate?",
    "the machine stopped again",
    "",
    "grazie",
    "ok ma arrivate dopo le 15",  # an answer followed by more than courtesy is for the desk
    "non funziona",
]


@pytest.mark.parametrize("body", OPT_OUTS)
def test_opt_out_keywords_at_the_start_with_punctuation_quotes_or_courtesy(body):
    assert reply_read(body).meaning == Meaning.OPT_OUT


@pytest.mark.parametrize("body", OPT_INS)
def test_opt_in_keywords(body):
    assert reply_read(body).meaning == Meaning.OPT_IN


@pytest.mark.parametrize("body", HELPS)
def test_help_and_info_ask_for_the_help_reply(body):
    assert reply_read(body).meaning == Meaning.HELP


@pytest.mark.parametrize(("body", "score"), SCORES)
def test_scores_in_digits_or_words_italian_or_english_any_case(body, score):
    assert reply_read(body) == Reading(Meaning.SCORE, score)


@pytest.mark.parametrize("body", MESSAGES)
def test_anything_else_is_a_message_for_the_dispatcher(body):
    assert reply_read(body).meaning == Meaning.MESSAGE


@pytest.mark.parametrize("body", CONFIRMS)
def test_one_ok_confermo_confirm_yes_confirm_someone_will_receive_the_machine(body):
    assert answer_read(reply_read(body)) == Meaning.CONFIRM


@pytest.mark.parametrize("body", WORKS)
def test_two_funziona_works_fixed_say_it_works_again(body):
    assert answer_read(reply_read(body)) == Meaning.WORKS


@pytest.mark.parametrize("body", ["1", "2", "uno", "two"])
def test_a_bare_one_or_two_is_still_a_score_for_an_open_survey(body):
    assert reply_read(body).meaning == Meaning.SCORE


@pytest.mark.parametrize("body", [*OPT_OUTS, *OPT_INS, *HELPS, "0", "3", "10", "nove", *MESSAGES])
def test_nothing_else_answers_the_arrival_time_text(body):
    assert answer_read(reply_read(body)) is None
