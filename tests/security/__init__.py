"""The security and integrity suite (issue 8): one or more tests per guarantee in README.md.

Some guarantees were already proved beside their feature and are not copied here:
route x role table: tests/test_access_table.py; the workbench never shows the rubric:
tests/roleplay/test_secrets.py; parallel submissions: tests/quizzes/test_submit.py;
a broken file leaves the live release: tests/curriculum/test_sync.py.
"""
