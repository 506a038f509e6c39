"""Forms of a supervisor's review of a finished conversation."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from training.core.forms import TranslatedForm
from training.roleplay.services import MAX_REVIEW_CHARS


class TurnCommentForm(TranslatedForm):
    """A remark on one reply, shown to the trainee on their scorecard."""

    body = TextAreaField(
        _l("Comment on this reply"),
        validators=[
            DataRequired(message=_l("Write the comment first.")),
            Length(max=MAX_REVIEW_CHARS),
        ],
    )


class ScoreOverrideForm(TranslatedForm):
    """A corrected score for the whole conversation, with the reason for it."""

    score = IntegerField(
        _l("Score that counts (0–100)"),
        validators=[
            InputRequired(message=_l("Give a score from 0 to 100.")),
            NumberRange(min=0, max=100, message=_l("Give a score from 0 to 100.")),
        ],
    )
    fatal = BooleanField(_l("A serious violation stands (fails the conversation)"))
    reason = TextAreaField(
        _l("Reason (shown to the trainee and kept in the record)"),
        validators=[
            DataRequired(message=_l("Write the reason for the override.")),
            Length(max=MAX_REVIEW_CHARS),
        ],
    )
