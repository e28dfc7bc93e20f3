"""Settle's rules, one pure module per subject.

- `ladder`: the six rungs, the moves between them and their conditions.
- `clock`: the response clock (concerns, answers, due times, states).
- `deadlines`: formal-letter deadlines.
- `money`: which currencies exist, and when a project's figures disagree.
- `dates`: the range of dates Settle accepts.
- `chain`: the timeline's hash chain (the canonical form of an entry, the links, their check).
- `tone`: signs a message was written in the heat of the moment (cooling-off holds, draft hints).
- `lessons`: the root causes a closed case is given, and what to do next time.
- `risk`: a client's risk level from their history, with reasons and advice.
- `checklist`: the evidence a case of each kind should hold.
- `phrasebook`: the moments a reply is written for, and the starter phrases.
- `filenames`: what kind of evidence an uploaded file probably is, and a caption, from its name.
- `words`: sentences the rules write with numbers or names in them, kept for translation where shown.

No module here imports the ORM or does I/O; anything that depends on the
time takes `now` (or a date) as an argument. They are tested without a
database (tests/disputes/rules/).
"""
