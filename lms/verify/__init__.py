"""Public certificate verification: no login, bilingual, no JavaScript, rate-limited misses."""
