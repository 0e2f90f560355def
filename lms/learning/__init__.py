"""Learning: enrolments, module progress and the one rule that computes course progress."""
