"""Matching in the reader's words: proposal cards, their closed forms, the introduction of
a new pair, the end of a pairing, and the round that waits for an admin."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain.matching_notifications import (
    PairingEnded,
    PairingIntroduction,
    PairProposed,
    ProposalClosed,
    RoundReady,
)
from bot.domain.notifications import Notification
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Facts, Header, Message, Section
from dialogs.matching.reasons import describe_all, for_people
from storage.models import Person

ACCEPT_ACTION = "matching:accept"  # value: proposal id
DECLINE_ACTION = "matching:decline"  # value: proposal id (opens a form: optional reason)
GOALS_ACTION = "matching:goals"  # value: pairing id
END_ACTION = "matching:end"  # value: pairing id
SEND_ACTION = "matching:send"  # value: run id (admins)
REVIEW_ACTION = "matching:review"  # value: run id (admins)

MATCHING_TYPES = frozenset(
    cls.type
    for cls in (PairProposed, ProposalClosed, PairingIntroduction, PairingEnded, RoundReady)
)


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def labels_for(t: Translator, labels: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Skill or stage labels in the reader's language (the key when a label is missing)."""
    return t.labels(labels)


def present_matching(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case PairProposed():
            return proposal_card(notification, t, people, reader=reader.id)
        case ProposalClosed():
            return proposal_closed(notification, t, people)
        case PairingIntroduction():
            return introduction(notification, t, reader, people)
        case PairingEnded(person_ids=ids, program_name=program, by_admin=by_admin):
            title = t("Your pairing has ended")
            who: list[Inline] = (
                [Text(t("The program team ended your pairing in "))]
                if by_admin or not ids
                else [PersonRef(ids[0], _name(people, ids[0])), Text(t(" ended your pairing in "))]
            )
            ended = (
                Paragraph((*who, UserText(program), Text("."))),
                Paragraph.of(
                    t(
                        "It happens, and it is nobody's fault. You stay in the program: I will "
                        "propose a new partner in the next round."
                    )
                ),
            )
            return Message((Header(title), Section(ended)), summary=title)
        case RoundReady(run_id=run_id, program_name=program, pairs=pairs, unmatched=unmatched):
            title = t("A matching round is ready")
            body = Paragraph(
                (
                    UserText(program),
                    Text(
                        t(
                            ": {pairs}, {unmatched}.",
                            pairs=t.tn("{count} pair proposed", "{count} pairs proposed", pairs),
                            unmatched=t.tn(
                                "{count} person without a partner",
                                "{count} people without a partner",
                                unmatched,
                            ),
                        )
                    ),
                )
            )
            buttons = (
                Button(t("Review"), REVIEW_ACTION, value=str(run_id)),
                Button(t("Send the proposals"), SEND_ACTION, value=str(run_id), style="primary"),
            )
            return Message((Header(title), Section((body,)), Actions(buttons)), summary=title)
    raise ValueError(f"no presenter for {notification.type}")


def proposal_card(
    n: PairProposed, t: Translator, people: Mapping[str, Person], *, reader: str | None = None
) -> Message:
    """The card one side reads: "you" for the reader, no program-team caveat."""
    other = n.person_ids[0] if n.person_ids else ""
    labels = labels_for(t, n.skill_labels)
    title = (
        t("Reminder: a reverse-mentoring partner for you")
        if n.reminder
        else t("A reverse-mentoring partner for you")
    )
    if n.role == "mentor":
        intro = t(" would like to learn from you in ")
    else:
        intro = t(" can share their digital skills with you in ")
    blocks: list[Block] = [
        Header(title),
        Section(
            (
                Paragraph(
                    (
                        PersonRef(other, _name(people, other)),
                        Text(intro),
                        UserText(n.program_name),
                        Text("."),
                    )
                ),
            )
        ),
    ]
    names = {**n.names, **{pid: _name(people, pid) for pid in n.person_ids}}
    why = describe_all(
        for_people(n.reasons),
        t,
        names=names,
        skill_labels=labels,
        stage_labels=labels_for(t, n.stage_labels),
        mentor=n.mentor_id,
        mentee=n.mentee_id,
        reader=reader,
    )
    if why:
        blocks.append(
            Section((Paragraph.of(t("Why this pair:")), *(Paragraph((UserText(w),)) for w in why)))
        )
    facts = _highlights(n.highlights, t, labels)
    if facts:
        blocks.append(Facts(tuple(facts)))
    if n.agenda:
        items = ", ".join(labels.get(k, k) for k in n.agenda)
        blocks.append(
            Section((Paragraph((Text(t("A first session could cover: ")), UserText(items))),))
        )
    if n.expires_at:
        at = datetime.fromisoformat(n.expires_at)
        blocks.append(
            Section(
                (
                    Paragraph(
                        (
                            Text(t("Please answer by ")),
                            Timestamp(at, "date"),
                            Text(t(". Your answer is private until you both accept.")),
                        )
                    ),
                )
            )
        )
    blocks.append(
        Actions(
            (
                Button(t("Accept"), ACCEPT_ACTION, value=str(n.proposal_id), style="primary"),
                Button(t("Decline"), DECLINE_ACTION, value=str(n.proposal_id), opens_form=True),
            )
        )
    )
    return Message(tuple(blocks), summary=title)


def _highlights(
    h: Mapping[str, Any], t: Translator, labels: Mapping[str, str]
) -> list[tuple[str, Paragraph]]:
    facts: list[tuple[str, Paragraph]] = []
    if h.get("title"):
        facts.append((t("Role"), Paragraph((UserText(str(h["title"])),))))
    if h.get("skills"):
        label = t("Offers") if h.get("side") == "mentor" else t("Wants to learn")
        skills = ", ".join(labels.get(k, k) for k in h["skills"])
        facts.append((label, Paragraph((UserText(skills),))))
    if h.get("goals"):
        facts.append((t("Goals"), Paragraph((UserText(str(h["goals"])[:300]),))))
    if h.get("languages"):
        facts.append((t("Languages"), Paragraph.of(t.languages(h["languages"]))))
    if h.get("format"):
        formats = {"remote": t("Remote"), "in_person": t("In person"), "either": t("Either")}
        where = formats.get(str(h["format"]), str(h["format"]))
        if h.get("location"):
            where = f"{where} ({h['location']})"
        facts.append((t("Format"), Paragraph((UserText(where),))))
    return facts


def proposal_closed(n: ProposalClosed, t: Translator, people: Mapping[str, Person]) -> Message:
    """The closed state of a proposal card (``n.card``), or the one message that tells the
    person what happened: different words, so nobody reads the same text twice."""
    other = n.person_ids[0] if n.person_ids else ""
    who = PersonRef(other, _name(people, other))
    if n.card:
        title, state = _closed_card(n.outcome, t, who)
        return Message((Header(title), Section((state,))), summary=title)
    body: Paragraph
    pool = t(" You are back in the pool: I will propose someone else in the next round.")
    match n.outcome:
        case "accepted_waiting":
            title = t("You accepted")
            body = Paragraph(
                (
                    Text(t("Thank you! As soon as ")),
                    who,
                    Text(t(" accepts too, I will introduce you both.")),
                )
            )
        case "you_declined":
            title = t("You declined")
            body = Paragraph(
                (
                    Text(t("Noted: you declined the proposal with ")),
                    who,
                    Text("." + t(" They will not see your reason.") + pool),
                )
            )
        case "expired":
            title = t("This proposal has expired")
            body = Paragraph(
                (
                    Text(t("The proposal with ")),
                    who,
                    Text(t(" expired without both answers.") + pool),
                )
            )
        case "partner_gone":
            title = t("This proposal will not go ahead")
            body = Paragraph((who, Text(t(" is no longer available in the program.") + pool)))
        case _:  # declined_by_other: never why
            title = t("This proposal will not go ahead")
            body = Paragraph(
                (
                    Text(t("The proposal with ")),
                    who,
                    Text(t(" will not go ahead this time.") + pool),
                )
            )
    return Message((Section((body,)),), summary=title)


def _closed_card(outcome: str, t: Translator, who: PersonRef) -> tuple[str, Paragraph]:
    """A closed card: its state in a few words and no button (what happened and what comes
    next is the separate message's)."""
    match outcome:
        case "accepted_waiting":
            state = Paragraph((Text(t("Your answer: accepted. Waiting for ")), who, Text(".")))
            return t("You accepted"), state
        case "accepted":
            state = Paragraph((Text(t("Your pairing with ")), who, Text(t(" has started."))))
            return t("You both accepted"), state
        case "you_declined":
            state = Paragraph((Text(t("Your answer: declined. Proposal with ")), who, Text(".")))
            return t("You declined"), state
        case "expired":
            title = t("This proposal has expired")
        case _:
            title = t("This proposal will not go ahead")
    state = Paragraph((Text(t("Closed, nothing left to answer. Proposal with ")), who, Text(".")))
    return title, state


def introduction(
    n: PairingIntroduction, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    title = t("Meet your reverse-mentoring partner")
    mentor, mentee = (*n.person_ids, "", "")[:2]
    labels = labels_for(t, n.skill_labels)
    body: list[Paragraph] = [
        Paragraph(
            (
                PersonRef(mentor, _name(people, mentor)),
                Text(t(" (mentor) and ")),
                PersonRef(mentee, _name(people, mentee)),
                Text(t(" (mentee), you both accepted: welcome to ")),
                UserText(n.program_name),
                Text("!"),
            )
        )
    ]
    if n.agenda:
        items = ", ".join(labels.get(k, k) for k in n.agenda)
        body.append(Paragraph((Text(t("A first session could cover: ")), UserText(items))))
    body.append(
        Paragraph.of(
            t(
                "Say hello, agree on a time for your first session, and each set 1 to 3 "
                "goals for your pairing."
            )
        )
    )
    buttons = (
        Button(t("Set my goals"), GOALS_ACTION, value=str(n.pairing_id), opens_form=True),
        Button(t("End the pairing"), END_ACTION, value=str(n.pairing_id), opens_form=True),
    )
    return Message((Header(title), Section(tuple(body)), Actions(buttons)), summary=title)
