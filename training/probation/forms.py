"""The supervisor's decision form: bound to what was posted, so a refusal loses nothing."""

from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from training.core.forms import TranslatedForm


class DecisionForm(TranslatedForm):
    """Outcome, reason, new end date, the override and the decision sequence the form saw.

    The service judges every value (readiness, dates, reversals), so the fields only parse:
    a date that is not one arrives as None and is refused there with the same message.
    """

    outcome = StringField()  # radio buttons on the page; the service knows the outcomes
    new_end = DateField(validators=[Optional()])
    reason = TextAreaField()
    override = BooleanField()
    sequence = HiddenField()

    def seen_sequence(self) -> int:
        """The sequence number the form was shown with; -1 (always stale) when missing."""
        value = (self.sequence.data or "").strip()
        return int(value) if value.isdigit() else -1
