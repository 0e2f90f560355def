"""Pure import/export formats for questions (GIFT, Aiken)."""
