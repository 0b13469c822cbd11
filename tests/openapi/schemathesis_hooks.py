"""What schemathesis needs to know about the API document beyond JSON Schema.

The document marks resident ID numbers with the format `cn-resident-id` (GB 11643):
a pattern gives their shape, but not that the birth date is a real, past date and
the last character the ISO 7064 MOD 11-2 check character. This teaches the tool to
generate such numbers, as an integrator's own test data would be; without it, most
pattern-shaped numbers are (rightly) refused by the server.
"""

import datetime

import schemathesis
from hypothesis import strategies as st

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def resident_id(region: int, born: datetime.date, serial: int) -> str:
    first = f"{region:06d}{born:%Y%m%d}{serial:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(first, WEIGHTS))
    return first + CHECK_CHARACTERS[total % 11]


schemathesis.openapi.format(
    "cn-resident-id",
    st.builds(
        resident_id,
        st.integers(min_value=110000, max_value=659999),
        st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today()),
        st.integers(min_value=0, max_value=999),
    ),
)
