"""What schemathesis needs to know about the API document beyond JSON Schema.

The document marks resident ID numbers with the format `cn-resident-id` (GB 11643):
a pattern gives their shape, but not that the birth date is a real, past date and
the last character the ISO 7064 MOD 11-2 check character. This teaches the tool to
generate such numbers, as an integrator's own test data would be; without it, most
pattern-shaped numbers are (rightly) refused by the server.

A home visit has two rules about dates that JSON Schema cannot state and the
document says in words (`HomeVisit`): it is not dated after today (China time), and
no member is born after it. `map_body` moves generated dates inside those rules, and
touches nothing else: a date that is already valid for them, and every value that is
not a date (the negative cases), stay as generated. Every other rule of a visit is in
the schema itself.
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


CHINA = datetime.timezone(datetime.timedelta(hours=8))


def as_date(value):
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


@schemathesis.hook
def map_body(ctx, body):
    visit = body.get("visit") if isinstance(body, dict) else None
    if not isinstance(visit, dict):
        return body
    # Yesterday in China: today there may already be tomorrow here, or still yesterday.
    latest = datetime.datetime.now(CHINA).date() - datetime.timedelta(days=1)
    visited = as_date(visit.get("visited_on"))
    if visited is not None and visited > latest:
        visited = latest
        visit["visited_on"] = latest.isoformat()
    members = visit.get("members")
    if visited is not None and isinstance(members, list):
        for member in members:
            born = as_date(member.get("birth_date")) if isinstance(member, dict) else None
            if born is not None and born > visited:
                member["birth_date"] = visited.isoformat()
    return body
