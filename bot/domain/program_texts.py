"""The charter and the privacy notice a program starts from, and the rule that a program
opens for enrollment only once both are published.

A new program gets these as drafts in French and English: the program team (and its DPO)
edits them with ``admin texts edit`` and publishes them with ``admin texts publish``. The
words are a starting point people can sign in good faith, never a legal opinion.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.programs import TEXT_KINDS

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "charter": {
        "fr": (
            "Charte du programme\n\n"
            "Dans ce programme, une personne partage ses compétences numériques avec un·e "
            "dirigeant·e, qui partage en retour son expérience. Chacun·e s’engage à :\n\n"
            "1. La confiance : nous parlons franchement et tenons nos engagements.\n"
            "2. La confidentialité : ce qui se dit en séance reste entre nous ; rien ne "
            "remonte à la hiérarchie ni à l’évaluation annuelle.\n"
            "3. Le non-jugement : il n’y a pas de question bête.\n"
            "4. L’engagement : les séances prévues ont lieu ; en cas d’empêchement, on "
            "prévient et on reprogramme.\n"
            "5. La réciprocité : on apprend dans les deux sens."
        ),
        "en": (
            "Program charter\n\n"
            "In this program, one person shares their digital skills with a leader, who "
            "shares their experience in return. Each of us commits to:\n\n"
            "1. Trust: we speak frankly and keep our promises.\n"
            "2. Confidentiality: what is said in a session stays between us; nothing goes "
            "to management or to the annual review.\n"
            "3. No judgement: there is no silly question.\n"
            "4. Commitment: planned sessions happen; if something comes up, we say so and "
            "reschedule.\n"
            "5. Reciprocity: learning runs both ways."
        ),
    },
    "privacy": {
        "fr": (
            "Notice d’information sur vos données\n\n"
            "Tandem utilise vos nom, adresse électronique, poste, service, manager, niveau "
            "de carrière, fuseau horaire et langues, ainsi que ce que vous indiquez à "
            "l’inscription, pour former les binômes, planifier les séances et suivre le "
            "programme. Votre binôme voit ce que le formulaire signale comme visible par "
            "lui ; le reste n’est vu que par l’équipe du programme.\n\n"
            "Les données sont conservées le temps du programme. Vous pouvez demander "
            "l’accès, la rectification ou l’effacement de vos données à l’équipe du "
            "programme."
        ),
        "en": (
            "Privacy notice\n\n"
            "Tandem uses your name, email address, job title, department, manager, career "
            "stage, time zone and languages, and what you tell it when you enrol, to form "
            "pairs, schedule sessions and follow the program. Your partner sees what the "
            "form marks as visible to them; only the program team sees the rest.\n\n"
            "Your data is kept for the length of the program. You can ask the program "
            "team for access to your data, to correct it or to erase it."
        ),
    },
}


def missing_texts(published: Iterable[str]) -> tuple[str, ...]:
    """The kinds of text (charter, privacy) a program still has to publish before it opens
    for enrollment, in their usual order; empty when it may open."""
    have = set(published)
    return tuple(kind for kind in TEXT_KINDS if kind not in have)
