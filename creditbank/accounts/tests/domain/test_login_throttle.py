from hypothesis import given
from hypothesis import strategies as st

from creditbank.accounts.domain.login_throttle import required_delay


def test_delays_double_from_the_free_failures_up_to_the_cap() -> None:
    delays = [required_delay(n, free=5, base=2, cap=300) for n in range(16)]
    assert delays == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_a_huge_number_of_failures_stays_at_the_cap() -> None:
    assert required_delay(10**9, free=5, base=2, cap=300) == 300


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=3600),
)
def test_delay_never_shrinks_with_more_failures_and_never_passes_the_cap(
    failures: int, free: int, base: int, cap: int
) -> None:
    now, then = (
        required_delay(failures, free=free, base=base, cap=cap),
        required_delay(failures + 1, free=free, base=base, cap=cap),
    )
    assert 0 <= now <= then <= max(cap, 0)
    assert (now == 0) == (failures < free)
