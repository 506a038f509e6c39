"""A worker that dies (SIGKILL) in the middle of a submission or a content sync.

Run as ``python -m tests.security.killed_worker DATABASE_URL submit ATTEMPT_ID`` or
``... sync CONTENT_DIR``: the operation runs until its writes are made but not committed,
then the process kills itself, as the kernel's OOM killer or a lost host would.
"""

import os
import signal
import sys
from pathlib import Path


def _die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def main(url: str, operation: str, argument: str) -> None:
    from training import create_app
    from training.curriculum import services as curriculum_services
    from training.curriculum.parser import read_tree
    from training.extensions import db
    from training.quizzes import services as quiz_services
    from training.quizzes.models import QuizAttempt

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        # The hook point: everything is written inside the transaction, nothing committed.
        db.session.commit = _die
        if operation == "submit":
            attempt = db.session.get(QuizAttempt, int(argument))
            answers = {qid: "a" for qid in attempt.question_ids}
            quiz_services.submit_attempt(attempt=attempt, answers=answers)
        else:
            curriculum_services.sync_content(files=read_tree(Path(argument)))
    raise SystemExit("the hook point was never reached")


if __name__ == "__main__":
    main(*sys.argv[1:4])
