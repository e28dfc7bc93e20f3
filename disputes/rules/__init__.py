"""Settle's rules, one pure module per subject.

- `ladder`: the six rungs, the moves between them and their conditions.
- `clock`: the response clock (concerns, answers, due times, states).
- `deadlines`: formal-letter deadlines.
- `money`: which currencies exist, and when a project's figures disagree.
- `dates`: the range of dates Settle accepts.
- `chain`: the timeline's hash chain (the canonical form of an entry, the links, their check).

No module here imports the ORM or does I/O; anything that depends on the
time takes `now` (or a date) as an argument. They are tested without a
database (tests/disputes/rules/).
"""
