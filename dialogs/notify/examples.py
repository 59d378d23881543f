"""Worst-case examples of every notification type, next to the presenters that word them.

The platform-limits test renders each example in every language on Slack, Teams and the
console: a new notification type without an example here fails that test, so none ships
unrendered. Examples are long on purpose (names at their column's length, typed text at
its form's limit, text that needs escaping on every platform).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.feedback.closing import ClosingReviewAsked, ClosingReviewClosed
from bot.domain.feedback.goals import MidpointCheck
from bot.domain.feedback.survey import SurveyAsked
from bot.domain.feedback.tips import MAX_TIP_CHARS, TipSuggestion
from bot.domain.matching_notifications import (
    PairingEnded,
    PairingIntroduction,
    PairProposed,
    ProposalClosed,
    RoundReady,
)
from bot.domain.notifications import (
    Announcement,
    AnnouncementFailed,
    ApprovalRequested,
    EnrollmentDecided,
    Introduction,
    Invitation,
    MessageToTeam,
    Notification,
    PartnerLeft,
    PauseEnded,
    PersonUnreachable,
    TextsUpdated,
)
from bot.domain.participation import MAX_MESSAGE_CHARS
from bot.domain.recognition import (
    THANKS_MAX_CHARS,
    CertificateReady,
    ManagerNote,
    PublicThanksAsked,
    ShoutOutFailed,
    ThanksOffered,
    ThanksReceived,
)
from bot.domain.sessions.lifecycle import (
    CANCEL_REASONS,
    DidItHappen,
    SessionChanged,
    SessionPlanned,
    SessionReminder,
    SessionsCancelled,
)
from bot.domain.sessions.nudge_notices import NudgeDigest, PairAtRisk, SessionNudge
from bot.domain.sessions.nudges import NUDGE_KINDS
from bot.domain.sessions.scheduling import (
    SelfOrganised,
    SessionConfirmed,
    SlotPicked,
    SlotsOffered,
)
from dialogs.feedback.pulse_cards import pulse_examples
from dialogs.reports.monthly import monthly_examples

PROGRAM = ("Mentorat <inversé> *<!channel>* " * 8)[:200]  # programs.name is 200 characters
SLUG = "mentorat-inverse-" + "x" * 40
CALENDAR = "https://tandem." + "long-subdomain." * 8 + "example.com/calendar/" + "T" * 64
LONG_TEXT = ("<!channel> *gras* <b>html</b> & " * 100)[:MAX_MESSAGE_CHARS]
ROLES = ("mentor", "mentee", "both")
OUTCOMES = ("expired", "declined_by_other", "partner_gone", "you_declined", "accepted_waiting")
SKILL_LABELS = {
    f"skill_{n}": {"fr": "Compétence " * 5 + str(n), "en": "Skill " * 5 + str(n)} for n in range(12)
}
REASONS: list[dict[str, Any]] = [
    {"code": "teaches_wanted_skills", "skills": list(SKILL_LABELS)},
    {"code": "shared_hours", "minutes": 150},
    {"code": "reporting_line_unknown"},
]


def notification_examples(
    reader_id: str, other_id: str, reader_name: str = ""
) -> Mapping[str, tuple[Notification, ...]]:
    """Every notification type (by its stored ``type``), one or more examples each.

    ``reader_id`` reads them; ``other_id`` is the other person they name."""
    labels = SKILL_LABELS
    highlights = {
        "side": "mentor",
        "title": "x" * 300,
        "skills": list(labels),
        "goals": "<b>" * 500,
        "languages": ["fr", "en"],
        "format": "in_person",
        "location": "Paris *La Défense*",
    }
    proposal = PairProposed(
        7,
        PROGRAM,
        (other_id,),
        "mentee",
        REASONS,
        highlights,
        list(labels)[:3],
        labels,
        {reader_id: reader_name},
        "2027-03-01T10:00:00+00:00",
        True,
        other_id,
        reader_id,
    )
    examples: list[Notification] = [
        Introduction((reader_id, other_id), PROGRAM),
        PersonUnreachable(other_id, "slack: user_not_found"),
        Announcement("Bonjour " * 400, "Hello " * 400),
        PauseEnded(PROGRAM),
        PartnerLeft((other_id,), PROGRAM),
        MessageToTeam((other_id,), PROGRAM, LONG_TEXT),
        Invitation(SLUG, PROGRAM),
        Invitation(SLUG, PROGRAM, reminder=True),
        *(
            ApprovalRequested((other_id,), PROGRAM, 12, role)
            for role in ("mentor", "mentee", "both")
        ),
        EnrollmentDecided(PROGRAM, approved=True),
        EnrollmentDecided(PROGRAM, approved=False),
        TextsUpdated(SLUG, PROGRAM, "charter", 3),
        TextsUpdated(SLUG, PROGRAM, "privacy", 4),
        AnnouncementFailed("#" + "général-" * 10, PROGRAM, "not_in_channel"),
        AnnouncementFailed("#général", PROGRAM, "<!channel> rate_limited " * 5),
        proposal,
        *(
            ProposalClosed(7, PROGRAM, (other_id,), o, card)
            for o in OUTCOMES
            for card in (True, False)
        ),
        PairingIntroduction(3, PROGRAM, (other_id, reader_id), ["skill_1"], labels),
        PairingEnded(3, PROGRAM, (other_id,)),
        PairingEnded(3, PROGRAM, (), by_admin=True),
        RoundReady(5, PROGRAM, 120, 3),
        *session_examples(reader_id, other_id),
        # the nudge about an unanswered session carries its Yes / No / Moved too
        *(SessionNudge(2**31 - 1, kind, PROGRAM, (other_id,), 2**31 - 1) for kind in NUDGE_KINDS),
        # a leader with many pairs: every item of each, in one digest
        NudgeDigest(
            tuple(range(2**31 - 30, 2**31 - 1)),
            tuple((kind, other_id) for _ in range(8) for kind in NUDGE_KINDS),
            (other_id,),
        ),
        PairAtRisk(
            2**31 - 1,
            PROGRAM,
            SLUG,
            (other_id, reader_id),
            ((other_id, 9), (reader_id, 9)),
            365,
            NUDGE_KINDS,
        ),
        *series_examples(other_id),
        *pulse_examples(reader_id, other_id, PROGRAM, SLUG),
        *closing_examples(other_id),
        *(
            SurveyAsked(2**31 - 1, role, (other_id,), "2027-03-29T06:30:00+00:00", reminder)
            for role in ("mentor", "mentee")
            for reminder in (False, True)
        ),
        *goals_examples(other_id),
        *monthly_examples(),
        *recognition_examples(other_id),
    ]
    table: dict[str, tuple[Notification, ...]] = {}
    for example in examples:
        table[example.type] = (*table.get(example.type, ()), example)
    return table


SLOTS = tuple(f"2027-03-{d:02d}T15:45:00+00:00" for d in range(1, 6))


def session_examples(reader_id: str, other_id: str) -> list[Notification]:
    """Scheduling a first session: five slots, no overlap, an assistant, each answer."""
    outside = {s: [other_id] for s in SLOTS}
    at = SLOTS[0]
    return [
        SlotsOffered(4, PROGRAM, (other_id,), SLOTS, 45),
        SlotsOffered(4, PROGRAM, (other_id, reader_id), SLOTS, 90, False, outside, reader_id),
        SlotsOffered(4, PROGRAM, (other_id,), SLOTS[:3], 45, again=True),
        SlotPicked(4, (other_id,), at, 45, outside_reader=True, typed=True, for_leader=other_id),
        SlotPicked(4, (other_id, reader_id), at, 45),
        SessionConfirmed(4, (other_id,), at, 45, earlier=True),
        SessionConfirmed(4, (other_id, reader_id), at, 45, copy=True),
        SessionConfirmed(4, (other_id,), at, 45, card=True),
        SessionConfirmed(10**12, (other_id,), at, 45, calendar=CALENDAR),
        SelfOrganised(4, (other_id,)),
        SelfOrganised(4, (other_id,), ask=True),
        SelfOrganised(4, (other_id,), asynchronous=True),
    ]


def series_examples(other_id: str) -> list[Notification]:
    """A series' messages: reminders (one merged), the question after, the next session
    (with a clock-change heads-up), the partner's changes, cancellations by reason."""
    at = "2027-03-29T06:30:00+00:00"
    return [
        SessionReminder(123456, (other_id,), at, 45, (24,)),
        SessionReminder(123456, (other_id,), at, 45, (24, 1)),
        DidItHappen(123456, (other_id,), at),
        SessionPlanned(123457, (other_id,), at, 45, 0, 14),
        SessionPlanned(123457, (other_id,), at, 45, -60, 28),
        *(SessionChanged((other_id,), w, at) for w in ("skipped", "cancelled", "rescheduled")),
        SessionChanged((other_id,), "cadence", cadence_days=7),
        *(SessionsCancelled((other_id,), reason, 12) for reason in CANCEL_REASONS),
        SessionsCancelled((), "forget", 1),
    ]


def closing_examples(other_id: str) -> list[Notification]:
    """The closing review's card: each role, each way a pairing closes, the reminder."""
    return [
        ClosingReviewAsked(2**31 - 1, PROGRAM, (other_id,), role, how, reminder)
        for role in ("mentor", "mentee")
        for how in ("program_end", "ended")
        for reminder in (False, True)
    ] + [ClosingReviewClosed(2**31 - 1, answered) for answered in (False, True)]


def goals_examples(other_id: str) -> list[Notification]:
    """The mid-point check with six goals at their longest (and its reminder); a tip at the
    catalogue's longest."""
    goals = tuple((("<!channel> *" * 40)[:280], s) for s in ("open", "on_track", "stuck") * 2)
    tip = ("<b>*x*</b> " * 60)[:MAX_TIP_CHARS]
    skill = "Compétence " * 7
    return [
        MidpointCheck(2**31 - 1, (other_id,), goals),
        MidpointCheck(2**31 - 1, (other_id,), goals, reminder=True),
        TipSuggestion(2**31 - 1, 2**31 - 1, skill, skill, tip, tip),
    ]


def recognition_examples(other_id: str) -> list[Notification]:
    """A thank-you at its form's limit, the certificate with its files, the consent question
    with and without a channel and a manager, a manager's note with every skill."""
    thanks = ("<!channel> *merci* <b>Zoé</b> & " * 40)[:THANKS_MAX_CHARS]
    files = tuple(
        (2**31 - 1, f"certificat-{SLUG}.{ext}", media, CALENDAR)
        for ext, media in (("pdf", "application/pdf"), ("png", "image/png"))
    )
    skills = {loc: [names[loc] for names in SKILL_LABELS.values()] for loc in ("fr", "en")}
    return [
        ThanksReceived((other_id,), PROGRAM, thanks),
        ThanksOffered(2**31 - 1, (other_id,), PROGRAM),
        CertificateReady(2**31 - 1, PROGRAM),
        CertificateReady(2**31 - 1, PROGRAM, files),
        PublicThanksAsked(2**31 - 1, PROGRAM, "#" + "général-" * 10, has_manager=True),
        PublicThanksAsked(2**31 - 1, PROGRAM),
        ManagerNote((other_id,), PROGRAM, "2027-01-04", "2027-06-30", skills, 13),
        ShoutOutFailed("#" + "général-" * 10, PROGRAM, "<!channel> not_in_channel " * 5),
    ]
