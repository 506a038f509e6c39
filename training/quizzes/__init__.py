"""Module quizzes and the final exam: format checking, grading, exam draws and GIFT/Aiken import.

Everything in this package is pure Python (no Flask, no database) so the checker, the app and the
tests share one implementation.
"""
