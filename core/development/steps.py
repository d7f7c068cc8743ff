"""The 25 steps of 《中国共产党发展党员工作细则》 in their 5 stages, as data.

Everything else (rule checks, the API's step list, warnings) reads this one table, so the
order and names of the steps are written down once. Codes are the steps' numbers (1–25);
``stage`` is the stage a step belongs to, ``enters`` the stage a person is in once it is
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a person stands; the codes of the glossary. ``full`` is reached at step 24.
STAGES = (
    ("applicant", "入党申请人"),
    ("activist", "入党积极分子"),
    ("candidate", "发展对象"),
    ("probationary", "预备党员"),
    ("full", "正式党员"),
)
STAGE_CODES = tuple(code for code, _ in STAGES)
STAGE_NAMES = dict(STAGES)

# The 细则's five stage headings (the fourth and fifth are about 预备党员).
STAGE_TITLES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}


@dataclass(frozen=True)
class Step:
    code: int
    name: str
    stage: int  # 1–5, the 细则's stage heading
    enters: str | None = None  # the person's stage once this step is recorded
    repeatable: bool = False  # recorded more than once (periodic reviews)


STEPS: tuple[Step, ...] = (
    Step(1, "递交入党申请书", 1, enters="applicant"),
    Step(2, "党组织派人谈话", 1),
    Step(3, "推荐和确定入党积极分子", 2, enters="activist"),
    Step(4, "上级党委备案", 2),
    Step(5, "指定培养联系人", 2),
    Step(6, "培养教育考察", 2, repeatable=True),
    Step(7, "确定发展对象", 3, enters="candidate"),
    Step(8, "报上级党委备案", 3),
    Step(9, "确定入党介绍人", 3),
    Step(10, "政治审查", 3),
    Step(11, "集中培训", 3),
    Step(12, "支部委员会审查", 4),
    Step(13, "上级党委预审", 4),
    Step(14, "填写入党志愿书", 4),
    Step(15, "支部大会讨论", 4),
    Step(16, "上级党委派人谈话", 4),
    Step(17, "上级党委审批", 4, enters="probationary"),
    Step(18, "再上一级党委组织部门备案", 4),
    Step(19, "编入党支部和党小组", 5),
    Step(20, "入党宣誓", 5),
    Step(21, "继续教育考察", 5, repeatable=True),
    Step(22, "提出转正申请", 5),
    Step(23, "支部大会讨论转正", 5),
    Step(24, "上级党委审批转正", 5, enters="full"),
    Step(25, "材料归档", 5),
)
BY_CODE = {step.code: step for step in STEPS}
LAST_CODE = STEPS[-1].code

# Steps with a meaning of their own elsewhere in the slice.
APPLICATION = 1
TALK = 2
ACTIVIST = 3
CONTACTS = 5
ACTIVIST_REVIEW = 6
CANDIDATE = 7
INTRODUCERS = 9
POLITICAL_REVIEW = 10
TRAINING = 11
COMMITTEE_REVIEW = 12
PRE_REVIEW = 13
BRANCH_MEETING = 15
APPROVAL = 17
CONVERSION_APPLICATION = 22
CONVERSION_MEETING = 23
CONVERSION_APPROVAL = 24


def step(code: int) -> Step:
    """The step with this code; ``KeyError`` for a code outside 1–25."""
    return BY_CODE[code]


def stage_after(code: int, current: str) -> str:
    """The person's stage once step ``code`` is recorded (unchanged for most steps)."""
    entered = BY_CODE[code].enters
    if entered is None:
        return current
    # A step recorded out of order (an override) never moves a person back.
    return entered if STAGE_CODES.index(entered) > STAGE_CODES.index(current) else current
