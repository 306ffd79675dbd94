"""What officials' records tell the areas below them, which officials may not import.

`responded` is sent when an official's answer to a campaign is recorded (today the response
written on a packet's delivery; the officials' own response and vote records will send it
too). Keyword arguments: `petition_id`, `official_name` (or None), `response` (its text),
`key` (unique per response, e.g. "delivery:12"), `user_id` (who recorded it).
"""

from __future__ import annotations

from blinker import Namespace

responded = Namespace().signal("official-responded")
