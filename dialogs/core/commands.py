"""The one command grammar: English words in every language, French aliases accepted.

``/tandem join`` in Slack, ``join`` typed to the bot in Teams or the console, and
``/tandem rejoindre`` all parse to the same ``Command``. Parsing happens here, once.
"""

from __future__ import annotations

import shlex
import unicodedata
from dataclasses import dataclass, field
from difflib import get_close_matches

from dialogs.core.i18n import N_


def fold(word: str) -> str:
    """Case- and accent-insensitive form: ``Compétences`` and ``competences`` are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class CommandSpec:
    name: str  # the English word, shown in help in every language
    summary: str  # a msgid: help shows it in the reader's language
    aliases: tuple[str, ...] = ()  # French words accepted as well
    admin: bool = False
    subcommands: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> aliases
    # When the next word is no subcommand: this one, with that word as its first argument
    default_action: str | None = None
    # A msgid saying when a command the README announces will come: help leaves it out and
    # typing it answers "not available yet: planned for …" instead of "unknown command".
    planned: str | None = None


def available(specs: tuple[CommandSpec, ...]) -> tuple[CommandSpec, ...]:
    """The commands that work today, in the order help lists them."""
    return tuple(spec for spec in specs if spec.planned is None)


PEOPLE_COMMANDS = (
    CommandSpec("help", N_("Show what I can do"), ("aide", "?")),
    CommandSpec(
        "join", N_("Join a reverse-mentoring program"), ("rejoindre", "inscription", "participer")
    ),
    CommandSpec("profile", N_("See or edit your profile"), ("profil",)),
    CommandSpec("language", N_("Choose the language I speak to you"), ("langue",)),
    CommandSpec("pause", N_("Pause your participation until a date"), ()),
    CommandSpec("resume", N_("Resume after a pause"), ("reprendre",)),
    CommandSpec("leave", N_("Leave the program"), ("quitter",)),
    CommandSpec("contact", N_("Send a private message to the program team"), ("contacter",)),
    CommandSpec("goals", N_("See and update the goals of your pairing"), ("objectifs",)),
    CommandSpec("end", N_("End your pairing early (no fault)"), ("terminer", "fin")),
    CommandSpec(
        "sessions",
        N_("See your next sessions, in your time"),
        ("seances", "seance", "checkin", "rendez-vous"),
    ),
    CommandSpec("reschedule", N_("Move your next session"), ("reporter", "deplacer")),
    CommandSpec("skip", N_("Skip your next session"), ("sauter",)),
    CommandSpec("cadence", N_("See or change how often you meet"), ("rythme", "frequence")),
    CommandSpec("quiet", N_("See or change your quiet hours"), ("calme", "silence")),
    CommandSpec(
        "privacy",
        N_("Choose whether I may read your busy times to propose sessions"),
        ("confidentialite", "agenda"),
    ),
    CommandSpec("thanks", N_("Thank your mentor, in a few words"), ("merci", "remercier")),
    CommandSpec(
        "my data",
        N_("Get a file with everything I keep about you"),
        ("mes donnees", "mydata"),
    ),
    CommandSpec(
        "forget me",
        N_("Erase everything I keep about you"),
        ("oublie-moi", "oubliez-moi", "oublie moi", "oubliez moi"),
    ),
    CommandSpec(
        "feedback",
        N_("Give your feedback on a session"),
        ("avis", "retour"),
    ),
    CommandSpec(
        "testimonial",
        N_("Withdraw your consent to quote your closing testimonial"),
        ("temoignage",),
        subcommands={"withdraw": ("retirer", "retrait")},
    ),
)

PROGRAM_ACTIONS = {
    "new": ("nouveau", "creer"),
    "list": ("liste", "lister"),
    "show": ("voir", "afficher"),
    "open": ("ouvrir",),
    "close": ("fermer", "clore"),
    "edit": ("modifier",),
    "admins": ("admins", "administrateurs"),
}

ADMIN_COMMANDS = (
    CommandSpec(
        "program",
        N_("Create, list, show, open, close or edit programs"),
        ("programme",),
        admin=True,
        subcommands=PROGRAM_ACTIONS,
    ),
    CommandSpec(
        "announce", N_("Post a call for volunteers in a channel"), ("annoncer",), admin=True
    ),
    CommandSpec("invite", N_("Invite people personally"), ("inviter",), admin=True),
    CommandSpec(
        "match",
        N_("Propose pairings: a dry run, then edit and send"),
        ("apparier", "jumeler"),
        admin=True,
        subcommands={
            "run": ("lancer",),
            "send": ("envoyer",),
            "remove": ("retirer", "enlever"),
            "swap": ("echanger", "permuter"),
            "pin": ("epingler", "fixer"),
            "end": ("terminer",),
            "rounds": ("tours",),
        },
        default_action="run",
    ),
    CommandSpec(
        "status",
        N_("Enrolled people, pending approvals, skills gap"),
        ("statut", "etat"),
        admin=True,
    ),
    CommandSpec("audit", N_("Who did what, when"), (), admin=True),
    CommandSpec(
        "sessions",
        N_("Sessions per pair, at-risk pairs, people the bot could not reach"),
        ("seances",),
        admin=True,
    ),
    CommandSpec(
        "report",
        N_("The program's results"),
        ("rapport",),
        admin=True,
        subcommands={
            "show": ("voir", "afficher"),
            "privacy": ("confidentialite", "seuils"),
            "monthly": ("mensuel",),
        },
        default_action="show",
    ),
    CommandSpec(
        "export",
        N_("Export the program's data"),
        ("exporter",),
        admin=True,
        planned=N_("a later version; until then, run tandem people export on the server"),
    ),
    CommandSpec(
        "texts",
        N_("Charter and privacy notice: show, edit, publish"),
        ("textes",),
        admin=True,
        subcommands={"show": ("voir", "afficher"), "edit": ("modifier",), "publish": ("publier",)},
    ),
    CommandSpec(
        "skills",
        N_("The skills taxonomy: list, add, rename, retire"),
        ("competences",),
        admin=True,
        subcommands={
            "list": ("liste",),
            "add": ("ajouter",),
            "rename": ("renommer",),
            "retire": ("retirer",),
        },
    ),
    CommandSpec(
        "stages",
        N_("The career ladder: list, add, move, rename"),
        ("etapes", "carrieres"),
        admin=True,
        subcommands={
            "list": ("liste",),
            "add": ("ajouter",),
            "move": ("deplacer",),
            "rename": ("renommer",),
        },
    ),
    CommandSpec(
        "retention",
        N_("How long free text is kept, and when it is erased"),
        ("conservation",),
        admin=True,
        subcommands={"show": ("voir", "afficher"), "set": ("regler", "changer", "modifier")},
        default_action="show",
    ),
    CommandSpec(
        "tips",
        N_("The try-it-this-week tips: list, add, deactivate"),
        ("conseils", "astuces"),
        admin=True,
        subcommands={
            "list": ("liste", "voir"),
            "add": ("ajouter",),
            "deactivate": ("desactiver", "retirer"),
        },
        default_action="list",
    ),
    CommandSpec(
        "recognition",
        N_("Thanks, certificates and shout-outs sent to mentors; the shout-out channel"),
        ("reconnaissance",),
        admin=True,
        subcommands={"show": ("voir", "afficher"), "channel": ("canal", "salon")},
        default_action="show",
    ),
    CommandSpec(
        "forget",
        N_("Erase a person (GDPR)"),
        ("oublier",),
        admin=True,
        planned=N_("a later version; until then, run tandem forget EMAIL on the server"),
    ),
)

ADMIN_WORDS = ("admin", "administration")


def _index(specs: tuple[CommandSpec, ...]) -> dict[str, CommandSpec]:
    words: dict[str, CommandSpec] = {}
    for spec in specs:
        for word in (spec.name, *spec.aliases):
            words[fold(word)] = spec
    return words


PEOPLE_WORDS = _index(PEOPLE_COMMANDS)
ADMIN_COMMAND_WORDS = _index(ADMIN_COMMANDS)


@dataclass(frozen=True)
class Command:
    name: str  # canonical English name
    admin: bool = False
    action: str | None = None  # canonical subcommand, e.g. "new" in "admin program new"
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)  # --since 2027-01-01, key=value


@dataclass(frozen=True)
class UnknownCommand:
    """Not a command we know: the answer is localised help, with suggestions."""

    word: str
    admin: bool = False
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnknownAction:
    command: str
    word: str
    known: tuple[str, ...]


Parsed = Command | UnknownCommand | UnknownAction


CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "’": "'"})


def _tokens(text: str) -> list[str]:
    # Slack and phones turn quotes into curly ones; shlex only knows straight quotes.
    text = text.translate(CURLY_QUOTES)
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: keep the words rather than refuse
        return text.split()


def _options(tokens: list[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    args: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("--") and len(token) > 2:
            name, eq, value = token[2:].partition("=")
            if not eq and i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
                value, i = tokens[i + 1], i + 1
            options[fold(name)] = value
        else:
            args.append(token)
        i += 1
    return tuple(args), options


def parse_command(text: str) -> Parsed:
    """Parse what follows ``/tandem`` (or what was typed to the bot)."""
    tokens = _tokens(text.strip())
    if tokens and fold(tokens[0]) in ("/tandem", "tandem"):
        tokens = tokens[1:]
    if not tokens:
        return Command("help")
    admin = fold(tokens[0]) in ADMIN_WORDS
    if admin:
        tokens = tokens[1:]
        if not tokens:
            return Command("help", admin=True)
    words = ADMIN_COMMAND_WORDS if admin else PEOPLE_WORDS
    if len(tokens) > 1 and f"{fold(tokens[0])} {fold(tokens[1])}" in words:
        tokens = [f"{tokens[0]} {tokens[1]}", *tokens[2:]]  # a two-word command: "my data"
    head = fold(tokens[0])
    spec = words.get(head)
    if spec is None:
        working = [word for word, known in words.items() if known.planned is None]
        close = get_close_matches(head, working, n=3, cutoff=0.6)
        suggestions = tuple(dict.fromkeys(words[c].name for c in close))
        return UnknownCommand(tokens[0], admin, suggestions)
    rest = tokens[1:]
    action = None
    if spec.subcommands and rest and not rest[0].startswith("--"):
        action_words = {
            fold(w): name for name, aliases in spec.subcommands.items() for w in (name, *aliases)
        }
        action = action_words.get(fold(rest[0]))
        if action is not None:
            rest = rest[1:]
        elif spec.default_action is not None:
            action = spec.default_action
        else:
            return UnknownAction(spec.name, rest[0], tuple(spec.subcommands))
    args, options = _options(rest)
    return Command(spec.name, admin=spec.admin, action=action, args=args, options=options)


def spec_of(command: Command) -> CommandSpec | None:
    """The declaration a parsed command comes from (None for ``help`` typed as ``admin``)."""
    words = ADMIN_COMMAND_WORDS if command.admin else PEOPLE_WORDS
    return words.get(fold(command.name))


def planned_admin_command(word: str) -> CommandSpec | None:
    """The planned admin command this word names (typed without "admin"), if any."""
    spec = ADMIN_COMMAND_WORDS.get(fold(word))
    return spec if spec is not None and spec.planned is not None else None
