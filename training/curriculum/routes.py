"""The trainee's path, the lesson reader, search and the glossary."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training.accounts.access import role_required
from training.accounts.models import ADMIN, ROLES, SUPERVISOR, TRAINEE
from training.core.i18n import content_language
from training.curriculum import queries, services
from training.curriculum.links import lesson_url
from training.curriculum.path_parts import module_cards
from training.curriculum.progress import build_path
from training.probation.services import readiness_of
from training.quizzes.queries import path_with_quizzes

bp = Blueprint("curriculum", __name__)
bp.add_app_template_global(lesson_url, "lesson_url")


def _live_or_404():
    return queries.live_release() or abort(404)


def _lesson_or_404(live, module_slug: str, lesson_slug: str):
    return live.curriculum.lesson(module_slug, lesson_slug) or abort(404)


@bp.get("/path")
@role_required(TRAINEE)
def path():
    live, state, quizzes = path_with_quizzes(current_user.id) or (None, None, None)
    lang = content_language()
    return render_template(
        "curriculum/path.html",
        state=state,
        quizzes=quizzes,
        readiness=readiness_of(current_user, live, path=state, quizzes=quizzes) if live else None,
        lang=lang,
        module_cards=module_cards(live, state, lang, quizzes) if live else None,
    )


@bp.get("/catalogue")
@role_required(SUPERVISOR, ADMIN)
def catalogue():
    live = queries.live_release()
    state = build_path(live.curriculum, set()) if live else None
    lang = content_language()
    return render_template(
        "curriculum/path.html",
        state=state,
        lang=lang,
        module_cards=module_cards(live, state, lang, preview=True) if live else None,
        preview=True,
    )


@bp.get("/lessons/<module_slug>/<lesson_slug>")
@role_required(*ROLES)
def lesson(module_slug: str, lesson_slug: str):
    preview = not current_user.is_trainee
    if preview:
        live = _live_or_404()
        lesson = _lesson_or_404(live, module_slug, lesson_slug)
        state = build_path(live.curriculum, set())
    else:
        live, state = queries.live_path(current_user.id) or abort(404)
        lesson = _lesson_or_404(live, module_slug, lesson_slug)
        if state.lesson(lesson.key).locked:
            flash(_("This lesson opens when you have finished the lessons before it."), "error")
            return redirect(url_for("curriculum.path"))
    lang = content_language()
    page, fallback = queries.lesson_page(live.id, module_slug, lesson_slug, lang)
    html = render_template(
        "curriculum/lesson.html",
        lesson=lesson,
        text=lesson.text(page.lang)[0],
        page=page,
        fallback=fallback,
        module_state=state.module(module_slug),
        lesson_state=state.lesson(lesson.key),
        neighbours=queries.neighbours(live.curriculum, lesson),
        lang=lang,
        preview=preview,
    )
    if not preview:
        # Recorded after the page is rendered: the commit would make the page reload the user.
        services.record_lesson_opened(
            user_id=current_user.id,
            release_id=live.id,
            module_slug=module_slug,
            lesson_slug=lesson_slug,
        )
    return html


@bp.post("/lessons/<module_slug>/<lesson_slug>/complete")
@role_required(TRAINEE)
def complete(module_slug: str, lesson_slug: str):
    live, state = queries.live_path(current_user.id) or abort(404)
    lesson = _lesson_or_404(live, module_slug, lesson_slug)
    if state.lesson(lesson.key).locked:
        abort(403)
    services.complete_lesson(
        user_id=current_user.id,
        release_id=live.id,
        module_slug=module_slug,
        lesson_slug=lesson_slug,
    )
    flash(_("Lesson completed."), "success")
    following = queries.next_open_lesson(current_user.id, live, after=lesson)
    if following is None:
        return redirect(url_for("curriculum.path"))
    return redirect(url_for("curriculum.lesson", **following))


@bp.get("/search")
@role_required(*ROLES)
def search():
    query = request.args.get("q", "").strip()[:100]
    live = queries.live_release()
    hits = queries.search_lessons(live, query, content_language()) if live and query else []
    return render_template("curriculum/search.html", query=query, hits=hits, live=live)


@bp.get("/glossary")
@role_required(*ROLES)
def glossary():
    live = queries.live_release()
    terms = live.curriculum.glossary if live else ()
    return render_template("curriculum/glossary.html", terms=terms, lang=content_language())
