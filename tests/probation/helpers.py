"""Helpers for the probation tests: a trainee's evidence built through the real services, and
readers for the checklist, the console and the decision form."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from tests.factories import make_admin
from tests.quizzes.helpers import complete_module, flashes, main_html, take_quiz
from training.clock import utcnow
from training.extensions import db
from training.probation import services as probation
from training.probation.models import TypingAttempt
from training.roleplay import live_services
from training.roleplay import services as roleplay
from training.roleplay.models import ASSESSED, TEXT, Conversation

__all__ = ["flashes", "main_html"]

# Messages and labels in the default (Chinese) interface.
READY = "可以转正"
IN_PROGRESS = "进行中"
OVERDUE = "已逾期"
DECIDED = "已有结论"
READY_NOTICE = "你已满足全部条件，主管现在可以为你办理转正。"
NO_LIVE_YET = "尚无通过的陪练；要求 70%"
NOT_READY = (  # new wording, not yet in the catalogue: the tests read it in English
    "This trainee does not meet every criterion. To confirm anyway, tick "
    "\u201cConfirm despite unmet criteria\u201d and write why."
)
REASON_NEEDED = "请写明作出这个决定的理由。"
NEW_END_NEEDED = "延长试用期需要一个今天之后的新结束日期。"
ALREADY_DECIDED = "这个试用期已经有了结论。"
SELF = "不能对自己的试用期作决定。"
CHOOSE_OUTCOME = "请选择转正、延期或不通过。"
RECORDED = "决定已记录。"
TOO_FAST = "这次成绩无法计算：速度超出了正常打字的范围。"
CERTIFICATE = "转正证书"
FLAG_INACTIVE, FLAG_FAILING, FLAG_ENDING = "3 天没有学习", "同一测验 3 次未过", "7 天内到期"


# --------------------------------------------------------------------------- evidence


def complete_all_lessons(user, live) -> None:
    for module in live.curriculum.modules:
        complete_module(user, live, module.slug)


def pass_module_quizzes(user, live) -> None:
    for slug in live.release.quizzes.quizzes:
        assert take_quiz(user, slug, live).passed


def pass_exam(user, live) -> None:
    assert take_quiz(user, live.release.quizzes.exam.slug, live).passed


def required_scenarios(live) -> list[str]:
    return [slug for slug, s in live.release.scenarios.items() if s.required]


def play_assessed(user, live, slug: str, lang: str = "zh") -> Conversation:
    """Play a scenario in assessed mode with its model replies, through the services."""
    conversation = roleplay.start_conversation(
        user_id=user.id, live=live, slug=slug, mode=ASSESSED, input=TEXT, lang=lang
    )
    scenario = live.release.scenarios[slug]
    for n in range(50):
        if conversation.finished:
            break
        turn = scenario.turn(conversation.state["turn_id"])
        roleplay.send_reply(
            conversation=conversation, client_token=f"{slug}-{n}", text=turn.model[lang]
        )
    assert conversation.finished
    return conversation


def pass_scenarios(user, live) -> None:
    for slug in required_scenarios(live):
        conversation = play_assessed(user, live, slug)
        assert conversation.passed and not conversation.fatal, slug


def start_typing(user, live, lang: str = "zh") -> TypingAttempt:
    return probation.start_typing(user_id=user.id, live=live, lang=lang)


def started_ago(attempt: TypingAttempt, seconds: float) -> None:
    """Pretend the typing test was started `seconds` ago."""
    db.session.refresh(attempt)
    attempt.started_at = utcnow() - timedelta(seconds=seconds)
    db.session.commit()


def pass_typing(user, live) -> TypingAttempt:
    attempt = start_typing(user, live)
    started_ago(attempt, 60)
    probation.submit_typing(attempt=attempt, typed=probation.passage_of(attempt).text)
    assert attempt.passed
    return attempt


def pass_live_roleplay(user, live, rating: int = 4) -> None:
    """A supervised live session, closed and scored ``rating`` on every dimension (4 is 80%)."""
    supervisor = user.supervisor or make_admin(f"admin-for-{user.id}")
    session = live_services.open_session(
        opener=supervisor, partner=user, live=live, slug=None, topic="议价", lang="zh"
    )
    live_services.close_session(session=session, user=supervisor)
    ratings = dict.fromkeys(live_services.dimensions_of(session), rating)
    live_services.score_session(
        session=session, supervisor=supervisor, ratings=ratings, comments=""
    )


def extend(trainee, supervisor, live, *, days: int = 30, reason: str = "More practice."):
    """The supervisor extends the trainee's probation by ``days`` past its current end."""
    return probation.record_decision(
        trainee=trainee,
        decided_by=supervisor,
        outcome="extended",
        reason=reason,
        live=live,
        new_end=trainee.probation_end + timedelta(days=days),
    )


def make_ready(user, live, *, typing: bool = True, live_roleplay: bool = True) -> None:
    """Everything the shipped policy asks for."""
    complete_all_lessons(user, live)
    pass_module_quizzes(user, live)
    pass_exam(user, live)
    pass_scenarios(user, live)
    if typing:
        pass_typing(user, live)
    if live_roleplay:
        pass_live_roleplay(user, live)


# --------------------------------------------------------------------------- pages


def criteria(html: str) -> dict[str, dict]:
    """Criterion title -> {state, progress, detail} as the checklist shows them."""
    found = {}
    pattern = (
        r'<li class="criterion (\w+)">.*?<strong>(.*?)</strong>.*?'
        r'<progress value="([\d.]+)".*?<small>(.*?)</small>'
    )
    for state, title, progress, detail in re.findall(pattern, html, re.S):
        found[unescape(title)] = {
            "state": state,
            "progress": round(float(progress)),
            "detail": " ".join(unescape(re.sub(r"<[^>]+>", "", detail)).split()),
        }
    return found


def bars(html: str) -> dict[str, int]:
    """aria-label -> value of every progress bar in a piece of HTML."""
    return {
        unescape(label): round(float(value))
        for value, label in re.findall(
            r'<progress value="([\d.]+)" max="100"[^>]*aria-label="([^"]*)"', html
        )
    }


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


FLAG_SPAN = r'<span class="flag"[^>]*>(.*?)</span>'


def console_rows(html: str) -> list[dict]:
    """The rows of the "my trainees" table: id, name, flags, area bars, state, days left."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        link = re.search(r'<a href="/supervisor/trainees/(\d+)">(.*?)</a>', row, re.S)
        if link is None:  # the "nobody matches" row
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        state = re.search(r'<td class="state-(\w+)">', row)
        rows.append(
            {
                "id": int(link.group(1)),
                "name": unescape(link.group(2)),
                "flags": [unescape(f) for f in re.findall(FLAG_SPAN, row)],
                "bars": bars(row),
                "state": state.group(1) if state else None,
                "state_label": text_of(cells[3]),
                "days_left": text_of(cells[4]),
            }
        )
    return rows


def age_activity(user_id: int, days: float) -> None:
    """Move every recorded activity of a trainee `days` into the past."""
    from training.curriculum.models import LessonProgress
    from training.quizzes.models import QuizAttempt

    shift = timedelta(days=days)
    columns = {
        LessonProgress: ("last_opened_at", "completed_at"),
        QuizAttempt: ("started_at", "submitted_at", "deadline_at"),
        Conversation: ("started_at", "finished_at", "buyer_spoke_at"),
        TypingAttempt: ("started_at", "submitted_at"),
    }
    for model, names in columns.items():
        for row in db.session.scalars(db.select(model).filter_by(user_id=user_id)):
            for name in names:
                if getattr(row, name, None) is not None:
                    setattr(row, name, getattr(row, name) - shift)
    db.session.commit()
