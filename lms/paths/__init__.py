"""Learning paths: an ordered set of courses leading to a certification (e.g. the facilitator one)."""
