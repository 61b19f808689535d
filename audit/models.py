"""Quality review (质检): the month's sample of closed cases per agent, and a scorecard per sampled case.

A sample is drawn once per month (sampling.py decides; services.py reads the cases and writes these
rows). Its rows never change afterwards, except the sample's state, which the scorecards move on;
scorecards are edited by auditors, with their history kept.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.choices import SEVEN_A_STEPS
from cases.models import Case
from core.history import tracked_history

from .sampling import HANDLING_LABELS, RULE_LABELS, TIME_LABELS, pick_reason


class SampleState(models.TextChoices):
    IN_REVIEW = "in_review", _("In review")
    COMPLETE = "complete", _("Every case scored")


class QualitySample(ConcurrentTransitionMixin, models.Model):
    """A month's sample:  in_review → complete  (when its last case is scored, services.py)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month sampled."))
    seed = models.PositiveIntegerField(_("seed"))
    state = FSMField(
        _("state"), max_length=12, choices=SampleState.choices, default=SampleState.IN_REVIEW, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drawn"), default=timezone.now)
    # The month's handling-time thresholds the strata were cut at (seconds), kept to explain them.
    short_max_seconds = models.PositiveIntegerField(_("short: at most (seconds)"), null=True, blank=True)
    long_min_seconds = models.PositiveIntegerField(_("long: at least (seconds)"), null=True, blank=True)

    history = tracked_history()

    class Meta:
        verbose_name = _("quality sample")
        verbose_name_plural = _("quality samples")
        ordering = ("-month",)

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @transition(field=state, source=SampleState.IN_REVIEW, target=SampleState.COMPLETE)
    def complete(self):
        """Every sampled case has a scorecard (re-scoring one later keeps it complete)."""


class RuleCode(models.TextChoices):
    BASE = "base", RULE_LABELS["base"]
    BOTTOM = "bottom", RULE_LABELS["bottom"]
    EXEMPT = "exempt", RULE_LABELS["exempt"]


class SampleAgent(models.Model):
    """One agent's part of a sample: how many cases they closed, their quota and why."""

    sample = models.ForeignKey(QualitySample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="agents")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("front-line agent"), on_delete=models.PROTECT)
    closed = models.PositiveIntegerField(_("cases closed"))
    rule = models.CharField(_("quota rule"), max_length=10, choices=RuleCode.choices)
    quota = models.PositiveSmallIntegerField(_("quota"))
    last_score = models.DecimalField(_("last month's score (%)"), max_digits=5, decimal_places=1, null=True)

    class Meta:
        verbose_name = _("sampled agent")
        verbose_name_plural = _("sampled agents")
        ordering = ("sample", "agent_id")
        constraints = [models.UniqueConstraint(fields=["sample", "agent"], name="sample_agent_once")]

    def __str__(self):
        return f"{self.sample} {self.agent_id}"


class SampledCase(models.Model):
    sample = models.ForeignKey(QualitySample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("front-line agent"), on_delete=models.PROTECT)
    time_bucket = models.CharField(_("time of day"), max_length=10, choices=list(TIME_LABELS.items()))
    handling_bucket = models.CharField(_("handling time"), max_length=10, choices=list(HANDLING_LABELS.items()))
    rule = models.CharField(_("quota rule"), max_length=10, choices=RuleCode.choices)
    # The stratum this case stands in for, when that one had too few cases ("" when not).
    filled_for_time = models.CharField(max_length=10, blank=True)
    filled_for_handling = models.CharField(max_length=10, blank=True)
    all_taken = models.BooleanField(_("every case of the agent taken"), default=False)

    class Meta:
        verbose_name = _("sampled case")
        verbose_name_plural = _("sampled cases")
        ordering = ("sample", "agent_id", "case_id")
        constraints = [models.UniqueConstraint(fields=["sample", "case"], name="sampled_case_once")]

    def __str__(self):
        return f"{self.sample} {self.case_id}"

    @property
    def reason(self) -> str:
        """Why it was picked, in the reader's language (sampling.pick_reason)."""
        return pick_reason(
            self.time_bucket,
            self.handling_bucket,
            rule=self.rule,
            filled_for_time=self.filled_for_time,
            filled_for_handling=self.filled_for_handling,
            all_taken=self.all_taken,
        )


class StepScore(models.IntegerChoices):
    NOT_DONE = 0, _("Not done")
    POORLY = 1, _("Done poorly")
    WELL = 2, _("Done well")


class Verdict(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


# One score field per 7A step, named after the step's transition.
STEP_FIELDS = tuple(f"step_{name}" for _state, name, _label in SEVEN_A_STEPS)
POINTS_PER_ITEM = 2


class Scorecard(models.Model):
    sampled_case = models.OneToOneField(
        SampledCase, verbose_name=_("sampled case"), on_delete=models.PROTECT, related_name="scorecard"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    step_accept = models.PositiveSmallIntegerField(_("Accept"), choices=StepScore.choices)
    step_apologize = models.PositiveSmallIntegerField(_("Apologize"), choices=StepScore.choices)
    step_acknowledge = models.PositiveSmallIntegerField(_("Acknowledge"), choices=StepScore.choices)
    step_analyze = models.PositiveSmallIntegerField(_("Analyze"), choices=StepScore.choices)
    step_offer_alternatives = models.PositiveSmallIntegerField(_("Alternatives"), choices=StepScore.choices)
    step_agree = models.PositiveSmallIntegerField(_("Agreement"), choices=StepScore.choices)
    step_assure = models.PositiveSmallIntegerField(_("Assure"), choices=StepScore.choices)
    wording_ok = models.BooleanField(_("wording free of phrases to avoid"))
    promises_kept = models.CharField(_("promises kept"), max_length=3, choices=Verdict.choices)
    escalation_right = models.CharField(_("escalation handled right"), max_length=3, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    # Worked out on save (score_of), so months and agents average in the database.
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    max_points = models.PositiveSmallIntegerField(_("out of"), default=0)
    percent = models.DecimalField(
        _("score (%)"), max_digits=4, decimal_places=1, default=0, validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    history = tracked_history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="scorecard_percent_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.sampled_case} {self.percent}%"

    def save(self, *args, **kwargs):
        self.points, self.max_points, self.percent = self.score()
        super().save(*args, **kwargs)

    def score(self) -> tuple[int, int, Decimal]:
        """(points, out of, percent): 2 per 7A step done well (1 done poorly), 2 for clean wording, 2
        each for promises kept and escalation handled right — those two only when they applied."""
        points = sum(getattr(self, name) for name in STEP_FIELDS) + (POINTS_PER_ITEM if self.wording_ok else 0)
        out_of = POINTS_PER_ITEM * (len(STEP_FIELDS) + 1)
        for verdict in (self.promises_kept, self.escalation_right):
            if verdict != Verdict.NOT_APPLICABLE:
                out_of += POINTS_PER_ITEM
                points += POINTS_PER_ITEM if verdict == Verdict.YES else 0
        percent = (Decimal(100 * points) / Decimal(out_of)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return points, out_of, percent
