"""Domain notifications in the reader's words."""

from __future__ import annotations

from collections.abc import Mapping

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
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, UserText
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.replies import JOIN_ACTION
from dialogs.core.ui import Actions, Button, Header, Message, Section
from dialogs.feedback.closing_cards import CLOSING_TYPES, present_closing
from dialogs.feedback.goals_cards import GOALS_TYPES, present_goals
from dialogs.feedback.pulse_cards import PULSE_TYPES, present_pulse
from dialogs.feedback.survey_cards import SURVEY_TYPES, present_survey
from dialogs.matching.cards import MATCHING_TYPES, present_matching
from dialogs.recognition.cards import RECOGNITION_TYPES, present_recognition
from dialogs.reports.monthly import MONTHLY_TYPES, present_monthly
from dialogs.sessions.cards import SESSION_TYPES, present_sessions
from dialogs.sessions.nudge_cards import NUDGE_TYPES, present_nudges
from dialogs.sessions.scheduling_cards import SCHEDULING_TYPES, present_scheduling
from storage.models import Person


def _name(person: Person | None) -> str:
    return shown_name(person)


def present(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case Introduction(person_ids=ids, program_name=program):
            others = [i for i in ids if i != reader.id]
            parts: list[Inline] = [Text(t("Meet "))]
            for n, other in enumerate(others):
                if n:
                    parts.append(Text(t(" and ")))
                parts.append(PersonRef(other, _name(people.get(other))))
            parts.append(Text("!"))
            title = t("Your reverse-mentoring partner")
            body = [Paragraph(tuple(parts))]
            if program:
                body.append(Paragraph((Text(t("Program: ")), UserText(program))))
            body.append(
                Paragraph.of(t("Say hello here and agree on a time for your first session."))
            )
            return Message((Header(title), Section(tuple(body))), summary=title)
        case PersonUnreachable(person_id=person_id, reason=reason):
            summary = t("Someone could not be reached")
            paragraph = Paragraph(
                (
                    Text(t("I could not reach ")),
                    PersonRef(person_id, _name(people.get(person_id))),
                    Text(t(" on any platform (")),
                    UserText(reason),
                    Text(t("). Please contact them directly.")),
                )
            )
            return Message((Section((paragraph,)),), summary=summary)
        case Announcement(text_fr=text_fr, text_en=text_en):
            text = text_fr if t.locale == "fr" else text_en
            return Message((Section((Paragraph((UserText(text),)),)),), summary=text[:150])
        case PauseEnded() | PartnerLeft() | MessageToTeam() | Invitation():
            return _participation(notification, t, people)
        case ApprovalRequested() | EnrollmentDecided():
            return _enrollment(notification, t, people)
        case TextsUpdated():
            return _texts_updated(notification, t)
        case AnnouncementFailed():
            return announcement_failed(notification, t)
        case _ if notification.type in MATCHING_TYPES:
            return present_matching(notification, t, reader, people)
        case _ if notification.type in SCHEDULING_TYPES:
            return present_scheduling(notification, t, reader, people)
        case _ if notification.type in NUDGE_TYPES:
            return present_nudges(notification, t, people)
        case _ if notification.type in SESSION_TYPES:
            return present_sessions(notification, t, reader, people)
        case _ if notification.type in PULSE_TYPES:
            return present_pulse(notification, t, people)
        case _ if notification.type in CLOSING_TYPES:
            return present_closing(notification, t, people)
        case _ if notification.type in SURVEY_TYPES:
            return present_survey(notification, t, reader, people)
        case _ if notification.type in GOALS_TYPES:
            return present_goals(notification, t, reader, people)
        case _ if notification.type in MONTHLY_TYPES:
            return present_monthly(notification, t, people)
        case _ if notification.type in RECOGNITION_TYPES:
            return present_recognition(notification, t, people)
    raise ValueError(f"no presenter for {notification.type}")


def _participation(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    """Pause, leave, contact and invitations (issue 4)."""
    match notification:
        case PauseEnded(program_name=program):
            summary = t("Welcome back")
            body = Paragraph(
                (
                    Text(t("Your pause is over: you take part again in ")),
                    UserText(program),
                    Text(t(". Type pause if you need another break.")),
                )
            )
            return Message((Header(summary), Section((body,))), summary=summary)
        case PartnerLeft(person_ids=ids, program_name=program):
            who = ids[0] if ids else ""
            summary = t("Your partner has left the program")
            body = Paragraph(
                (
                    PersonRef(who, _name(people.get(who))),
                    Text(t(" has left ")),
                    UserText(program),
                    Text(t(", so your pairing ends here. Thank you for the time you shared.")),
                )
            )
            after = Paragraph.of(
                t("You stay enrolled: the program team will propose a new partner when they can.")
            )
            return Message((Header(summary), Section((body, after))), summary=summary)
        case MessageToTeam(person_ids=ids, program_name=program, text=text):
            who = ids[0] if ids else ""
            summary = t("A message for the program team")
            intro = Paragraph(
                (
                    PersonRef(who, _name(people.get(who))),
                    Text(t(" wrote to the team")),
                    *((Text(t(" of ")), UserText(program)) if program else ()),
                    Text(t(":")),
                )
            )
            words = Paragraph((UserText(text),))
            return Message((Header(summary), Section((intro, words))), summary=summary)
        case Invitation(program_slug=slug, program_name=program, reminder=reminder):
            summary = (
                t("A reminder: you are invited to a reverse-mentoring program")
                if reminder
                else t("You are invited to a reverse-mentoring program")
            )
            body = Paragraph(
                (
                    Text(t("The program team invites you personally to join ")),
                    UserText(program),
                    Text(
                        t(
                            ". Reverse mentoring pairs people who share digital skills with "
                            "leaders who offer their experience back: both sides learn."
                        )
                    ),
                )
            )
            join = Button(t("Join"), JOIN_ACTION, value=slug, style="primary", opens_form=True)
            return Message((Header(summary), Section((body,)), Actions((join,))), summary=summary)
    raise ValueError(f"no presenter for {notification.type}")


APPROVE_ACTION = "enrollment:approve"  # the enrollment feature answers them (value: its id)
DECLINE_ACTION = "enrollment:decline"


def _enrollment(notification: Notification, t: Translator, people: Mapping[str, Person]) -> Message:
    """Approval by the program team (issue 4)."""
    match notification:
        case ApprovalRequested(person_ids=ids, program_name=program, enrollment_id=eid, role=role):
            who = ids[0] if ids else ""
            summary = t("An enrollment waits for your approval")
            roles = {
                "mentor": t("as a mentor"),
                "mentee": t("as a mentee"),
                "both": t("as a mentor and a mentee"),
            }
            body = Paragraph(
                (
                    PersonRef(who, _name(people.get(who))),
                    Text(t(" asks to join ")),
                    UserText(program),
                    Text(" " + roles.get(role, "") + "."),
                )
            )
            buttons = (
                Button(t("Approve"), APPROVE_ACTION, value=str(eid), style="primary"),
                Button(t("Decline"), DECLINE_ACTION, value=str(eid), style="danger"),
            )
            return Message((Header(summary), Section((body,)), Actions(buttons)), summary=summary)
        case EnrollmentDecided(program_name=program, approved=approved):
            summary = t("Your enrollment is approved") if approved else t("About your enrollment")
            after = (
                t(": welcome! I will tell you as soon as a partner is proposed.")
                if approved
                else t(
                    ": the program team could not accept your enrollment this time. Thank you "
                    "for your interest; they can tell you more."
                )
            )
            body = Paragraph((Text(t("Program: ")), UserText(program), Text(after)))
            return Message((Header(summary), Section((body,))), summary=summary)
    raise ValueError(f"no presenter for {notification.type}")


TEXTS_REVIEW_ACTION = "programs:texts_review"  # the programs feature answers it (slug:kind)


def _texts_updated(notification: TextsUpdated, t: Translator) -> Message:
    """A new version of a program's charter or privacy notice (issue 4)."""
    summary = (
        t("The program charter has changed")
        if notification.kind == "charter"
        else t("The privacy notice has changed")
    )
    body = Paragraph(
        (
            Text(t("The program team of ")),
            UserText(notification.program_name),
            Text(t(" published a new version. Please read it and accept it to keep taking part.")),
        )
    )
    read = Button(
        t("Read and accept"),
        TEXTS_REVIEW_ACTION,
        value=f"{notification.program_slug}:{notification.kind}",
        style="primary",
    )
    return Message((Header(summary), Section((body,)), Actions((read,))), summary=summary)


def announcement_failed(notification: AnnouncementFailed, t: Translator) -> Message:
    """For the admin: the call for volunteers did not reach its channel (issue 4)."""
    summary = t("Your announcement was not posted")
    if notification.reason in ("not_in_channel", "channel_not_found", "is_archived"):
        advice = t(
            "I am not a member of this channel, so nothing was posted. Add me to the channel "
            "(in Slack: /invite @Tandem in the channel; in Teams: add the app to the team), "
            "then announce again."
        )
    else:
        advice = t("The platform refused the message, so nothing was posted. Please try again.")
    body = Paragraph(
        (
            Text(t("I could not post the call for volunteers of ")),
            UserText(notification.program_name),
            Text(t(" in ")),
            UserText(notification.channel),
            Text(" ("),
            UserText(notification.reason),
            Text(")."),
        )
    )
    return Message((Header(summary), Section((body, Paragraph.of(advice)))), summary=summary)
