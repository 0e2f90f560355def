"""Quizzes: question types, their registry and import/export formats."""
