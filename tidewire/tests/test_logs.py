import logging

from tidewire.logs import RedactTokens, redact


def test_token_values_are_redacted_wherever_they_appear():
    assert redact("/ws/?token=abc.def.ghi&x=1") == "/ws/?token=[redacted]&x=1"
    assert redact('"WebSocket /ws/?token=eyJ0" 403') == '"WebSocket /ws/?token=[redacted]" 403'


def test_filter_rewrites_arguments_of_uvicorn_style_records():
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", "/ws/?token=secret.jwt.value"), None,
    )  # fmt: skip
    assert RedactTokens().filter(record)
    assert "secret" not in record.getMessage()
    assert logging.getLogger("uvicorn.error").filters  # installed at start-up
