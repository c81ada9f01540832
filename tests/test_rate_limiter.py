"""The limiter itself, on a controlled clock: the moving window and the
once-a-minute outage log."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from callvault.ratelimits.limiter import RateLimiter
from callvault.ratelimits.operations import OPERATION_NAMES, OPERATIONS, operation_of
from callvault.settings import Settings
from tests.live import REDIS_URL, free_port, redis_unreachable_reason, unavailable
from tests.processes import redis_prefix


class Clock:
    """The one time seen by the limiter and by the limits storages."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.warnings: list[tuple[str, dict[str, Any]]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.warnings.append((event, fields))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # A minute boundary, so that a fixed window would reset at +60.
    clock = Clock(1_800_000_000.0)
    fake_time = SimpleNamespace(time=clock)
    monkeypatch.setattr("limits.storage.memory.time", fake_time)
    monkeypatch.setattr("limits.storage.redis.time", fake_time)
    return clock


@pytest.fixture(params=["memory", "redis"])
def redis_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    reason = redis_unreachable_reason()
    if reason:
        unavailable(reason)
    return REDIS_URL


def test_a_burst_across_the_minute_edge_passes_the_limit_once(
    clock: Clock, redis_url: str | None
) -> None:
    settings = Settings(
        redis_url=redis_url, redis_key_prefix=redis_prefix(), rate_limit_get="10/minute"
    )
    limiter = RateLimiter(settings, clock=clock)

    clock.now += 59
    before_edge = [limiter.check("org", "get") for _ in range(10)]
    clock.now += 1.5
    after_edge = [limiter.check("org", "get") for _ in range(10)]
    clock.now += 59
    a_minute_later = limiter.check("org", "get")

    assert all(d is not None and d.allowed for d in before_edge)
    assert all(d is not None and not d.allowed for d in after_edge)
    assert after_edge[0] is not None and after_edge[0].reset_after == 59
    assert a_minute_later is not None and a_minute_later.allowed
    assert a_minute_later.remaining == 9


def test_an_unreachable_redis_is_logged_once_a_minute(clock: Clock) -> None:
    settings = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    recorder = Recorder()
    limiter = RateLimiter(settings, clock=clock, logger=recorder)

    decisions = []
    for _ in range(24):  # every 2.5 s through the first minute
        decisions.append(limiter.check("org", "get"))
        clock.now += 2.5
    logged_in_first_minute = len(recorder.warnings)
    decisions.append(limiter.check("org", "get"))  # 60 s after the first

    assert decisions == [None] * 25
    assert logged_in_first_minute == 1
    assert [event for event, _ in recorder.warnings] == [
        "ratelimits.storage_unreachable"
    ] * 2
    assert recorder.warnings[0][1]["error"] == "ConnectionError"


def test_every_operation_has_a_setting_and_a_contract_default() -> None:
    defaults = {
        name: getattr(Settings(), f"rate_limit_{name}") for name in OPERATION_NAMES
    }

    assert defaults == {
        "get": "60/minute",
        "update": "20/minute",
        "search": "20/minute",
        "create": "30/minute",
        "delete": "120/minute",
        "default": "120/minute",
    }
    assert operation_of("get", "/call-recordings/{id}") == "get"
    assert operation_of("GET", "/call-recordings/{id}/transcript") == "default"
    assert len(OPERATIONS) == 5


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("120/minute", True),
        ("100 per 5 minutes", True),
        ("10/second", True),
        ("often", False),
        ("0/minute", False),
        ("", False),
    ],
)
def test_limit_settings_are_checked_at_start(value: str, accepted: bool) -> None:
    if accepted:
        assert Settings(rate_limit_update=value).rate_limit_update == value
        return
    with pytest.raises(ValueError, match="is not a rate limit; write it as"):
        Settings(rate_limit_update=value)


def test_the_off_switch_ignores_case() -> None:
    assert RateLimiter(Settings(rate_limits="OFF")).check("org", "get") is None
