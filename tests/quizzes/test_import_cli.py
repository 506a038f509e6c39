"""`flask content import-gift` turns a small GIFT (or Aiken) file into our quiz YAML."""

import yaml

from training.curriculum.release import parse_release
from training.quizzes import grading

GIFT = """// A small Moodle export.
::Main group::Which product group leads the shop? {
  =Phone accessories # Right: they sell most.
  ~Small home appliances # They sell less.
  ~Daily goods
}

::Handbook scope::The handbook applies to interns too. {T #Everyone in the department.}

::Typing speed::How many characters a minute should a new agent type? {
  =50 =fifty #The basic requirements say 50.
}

::Levels::Match each level with its skill. {
  =Basic -> Presenting products
  =Junior -> Selling products
  =Senior -> Managing customers
  ####The levels run from presenting to managing.
}

::Essay::Describe your day. {}
"""

AIKEN = """Which phone accessory sells most?
A. Cables
B) Cases
C. Chargers
ANSWER: B

What must you ask before recommending a case?
A. The buyer's budget
B. The buyer's phone model
ANSWER: B
"""

OPTIONS = [
    "--module",
    "welcome",
    "--lesson",
    "welcome/the-shop#what-we-sell",
    "--topic",
    "the-shop",
    "--seed",
    "000",
    "--where",
    "ch.2 §1",
]


def _import(runner, tmp_path, text, *extra):
    source = tmp_path / "questions.txt"
    source.write_text(text, encoding="utf-8")
    return runner.invoke(args=["content", "import-gift", str(source), *OPTIONS, *extra])


def test_gift_becomes_quiz_yaml(runner, tmp_path):
    result = _import(runner, tmp_path, GIFT)
    assert result.exit_code == 0, result.output
    questions = yaml.safe_load(result.stdout)["questions"]
    assert [q["type"] for q in questions] == ["single", "true_false", "short", "matching"]
    assert [q["id"] for q in questions] == [
        "welcome-main-group",
        "welcome-handbook-scope",
        "welcome-typing-speed",
        "welcome-levels",
    ]
    for question in questions:
        assert question["lesson"] == "welcome/the-shop#what-we-sell"
        assert question["topic"] == "the-shop" and question["difficulty"] == 2
        assert question["sources"] == [{"seed": "000", "where": "ch.2 §1"}]  # "000", not 0
        assert question["prompt"]["zh"] == question["prompt"]["en"]
    single, true_false, short, matching = questions
    assert [o.get("correct", False) for o in single["options"]] == [True, False, False]
    assert single["options"][0]["en"] == "Phone accessories"
    assert true_false["answer"] is True
    assert true_false["explanation"]["en"] == "Everyone in the department."
    assert short["accepted"]["en"] == ["50", "fifty"]
    assert [p["right"]["en"] for p in matching["pairs"]] == [
        "Presenting products",
        "Selling products",
        "Managing customers",
    ]
    assert matching["explanation"]["en"] == "The levels run from presenting to managing."
    # The skipped essay is named, with its line, on stderr.
    assert "line 21" in result.stderr and "essay" in result.stderr.lower()
    assert '"000"' in result.stdout or "'000'" in result.stdout


def test_imported_questions_pass_the_content_check(runner, tmp_path, content_files):
    result = _import(runner, tmp_path, GIFT)
    imported = yaml.safe_load(result.stdout)["questions"]
    for question in imported:
        question["id"] = f"imported-{question['id']}"
        if not question["explanation"]["en"]:
            question["explanation"] = {"zh": "解释", "en": "Why"}
    # Pasted into the module's quiz, they pass the same checks as written ones.
    quiz = "modules/01-welcome/quiz.yaml"
    document = yaml.safe_load(content_files[quiz])
    document["questions"] += imported
    files = {**content_files, quiz: yaml.safe_dump(document, allow_unicode=True, sort_keys=False)}
    bank = parse_release(files).quizzes
    for question in imported:
        parsed = bank.question(question["id"])
        assert grading.grade(parsed, grading.correct_answer(parsed, secret="k"), secret="k").correct


def test_aiken_becomes_single_choice_questions(runner, tmp_path):
    result = _import(runner, tmp_path, AIKEN, "--aiken", "--difficulty", "1")
    assert result.exit_code == 0, result.output
    questions = yaml.safe_load(result.stdout)["questions"]
    assert [q["type"] for q in questions] == ["single", "single"]
    assert [q["id"] for q in questions] == ["welcome-imported-1", "welcome-imported-2"]
    first = questions[0]
    assert first["difficulty"] == 1
    assert [o["id"] for o in first["options"]] == ["a", "b", "c"]
    assert [o["en"] for o in first["options"]] == ["Cables", "Cases", "Chargers"]
    assert [o.get("correct", False) for o in first["options"]] == [False, True, False]
    assert first["explanation"] == {"zh": "", "en": ""}
    assert "no feedback" in result.stderr


def test_output_file(runner, tmp_path):
    target = tmp_path / "draft.yaml"
    result = _import(runner, tmp_path, GIFT, "-o", str(target))
    assert result.exit_code == 0
    assert "wrote 4 question(s)" in result.stdout
    assert len(yaml.safe_load(target.read_text(encoding="utf-8"))["questions"]) == 4


def test_seed_and_where_are_required(runner, tmp_path):
    source = tmp_path / "q.gift"
    source.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(args=["content", "import-gift", str(source), *OPTIONS[:6]])
    assert result.exit_code != 0 and "--seed" in result.output
