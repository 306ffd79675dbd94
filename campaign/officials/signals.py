"""What officials' records tell the areas below them, which officials may not import.

`responded` is sent when an official's answer to a campaign is recorded: a response to a
delivered packet (packets.deliveries.record_response). Keyword arguments: `petition_id`,
`official_name` (or None), `response` (its text, or the link to it), `key` (unique per
response: "response:12"), `user_id` (who recorded it). Votes are not responses: the meetings
area records them and sends its own signal (meetings.services.vote_recorded).
"""

from __future__ import annotations

from blinker import Namespace

responded = Namespace().signal("official-responded")
