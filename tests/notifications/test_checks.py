from notifications.checks import twilio_settings_present


def test_twilio_backend_without_credentials_names_each_missing_setting(settings):
    settings.SMS_BACKEND = "notifications.backends.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM = ""
    messages = [error.msg for error in twilio_settings_present(None)]
    assert len(messages) == 2
    assert "TWILIO_AUTH_TOKEN" in messages[0]
    assert "TWILIO_FROM" in messages[1]


def test_other_backends_need_no_twilio_settings(settings):
    settings.SMS_BACKEND = "notifications.backends.console.ConsoleBackend"
    settings.TWILIO_AUTH_TOKEN = ""
    assert twilio_settings_present(None) == []


def test_the_check_runs_with_django_system_checks(settings):
    from django.core.checks import run_checks

    settings.SMS_BACKEND = "notifications.backends.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = ""
    ids = [error.id for error in run_checks()]
    assert "notifications.E001" in ids


def test_a_messaging_service_needs_the_numbers_of_its_pool_but_no_from(settings):
    settings.SMS_BACKEND = "notifications.backends.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM = "AC123", "token", ""
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG123"
    settings.TWILIO_SENDER_POOL = []
    assert [error.id for error in twilio_settings_present(None)] == ["notifications.E002"]
    settings.TWILIO_SENDER_POOL = ["+390200000101", "+390200000102"]
    assert twilio_settings_present(None) == []


def test_whatsapp_templates_are_checked_at_startup(settings):
    from notifications.checks import whatsapp_templates_valid

    settings.WHATSAPP_TEMPLATES = {"eta:it": "HX" + "0" * 32, "arrival:it": "HX" + "1" * 32}
    assert whatsapp_templates_valid(None) == []
    settings.WHATSAPP_TEMPLATES = {"eta:fr": "HX" + "0" * 32, "arrival:it": "SM123"}
    errors = whatsapp_templates_valid(None)
    assert [error.id for error in errors] == ["notifications.E003", "notifications.E003"]
    assert "'eta:fr'" in errors[0].msg and "'SM123'" in errors[1].msg


def test_whatsapp_without_a_sender_is_a_warning(settings):
    from notifications.checks import whatsapp_sender_present

    settings.SMS_BACKEND = "notifications.backends.twilio.TwilioBackend"
    settings.TWILIO_FROM, settings.TWILIO_WHATSAPP_FROM = "", ""
    assert [warning.id for warning in whatsapp_sender_present(None)] == ["notifications.W001"]
    settings.TWILIO_WHATSAPP_FROM = "+390200000099"
    assert whatsapp_sender_present(None) == []
