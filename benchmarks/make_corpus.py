#!/usr/bin/env python3
"""Generate a large French Sphinx project for benchmarks, and edit it.

The generated site imitates the pages of an association working against
trafficking in human beings: meeting reports, statements and news, written in
French with the markup a real site uses (labels, ``:ref:`` and ``:doc:``
cross-references, named and anonymous external links, emphasis, literals,
lists, list-tables, footnotes, substitutions, notes) and French typography
(« guillemets », non-breaking spaces before ``: ; ! ? %`` and in numbers).

Everything is deterministic: the same ``--pages`` and ``--seed`` give the same
bytes. Only the standard library is used.

Usage::

    python benchmarks/make_corpus.py DEST --pages 400 [--seed 1]
    python benchmarks/make_corpus.py DEST --edit 0.05 [--seed 2]

The first form writes ``DEST/conf.py``, ``DEST/pyproject.toml`` and
``DEST/source/fr/**.rst``. The second edits that fraction of the prose
paragraphs of an existing corpus (a few words changed in each, so every edited
paragraph stays close to its previous text) and prints how many it edited.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

NBSP = "\u00a0"  # before « : » and inside « guillemets », before %
NNBSP = "\u202f"  # before ; ! ? and as thousands separator
WIDTH = 79

# --------------------------------------------------------------------------
# Vocabulary

# (text, plural?)
SUBJECTS = [
    ("Le collectif", False),
    ("Le comité de suivi", False),
    ("Le groupe de travail", False),
    ("La |MIPROF|", False),
    ("La Commission nationale consultative des droits de l'homme", False),
    ("Le rapporteur national", False),
    ("La coordinatrice du collectif", False),
    ("Le représentant du ministère de l'Intérieur", False),
    ("La déléguée interministérielle", False),
    ("L'Office central pour la répression de la traite des êtres humains", False),
    ("Le parquet de Paris", False),
    ("Le GRETA", False),
    ("Chaque association membre", False),
    ("Les associations", True),
    ("Les associations membres du collectif", True),
    ("Les services de l'État", True),
    ("Les représentants des associations", True),
    ("Les membres du groupe de travail", True),
    ("Les magistrats référents", True),
    ("Les inspecteurs du travail", True),
    ("Les professionnels de santé", True),
    ("Les travailleurs sociaux", True),
    ("Les délégués régionaux", True),
    ("Les participants", True),
    ("Plusieurs intervenants", True),
    ("Les avocats présents", True),
    ("Les collectivités territoriales", True),
]

# verbs followed by « que » + clause: (singular, plural)
VERBS_CLAUSE = [
    ("rappelle", "rappellent"),
    ("souligne", "soulignent"),
    ("constate", "constatent"),
    ("observe", "observent"),
    ("estime", "estiment"),
    ("indique", "indiquent"),
    ("relève", "relèvent"),
    ("note", "notent"),
    ("considère", "considèrent"),
    ("affirme", "affirment"),
]

# verbs followed by a noun phrase
VERBS_OBJECT = [
    ("demande", "demandent"),
    ("recommande", "recommandent"),
    ("propose", "proposent"),
    ("salue", "saluent"),
    ("soutient", "soutiennent"),
    ("examine", "examinent"),
    ("présente", "présentent"),
    ("défend", "défendent"),
    ("réclame", "réclament"),
    ("encourage", "encouragent"),
    ("appelle de ses vœux", "appellent de leurs vœux"),
]

OBJECTS = [
    "la mise en œuvre effective du plan d'action national",
    "l'adoption d'un nouveau plan d'action contre la traite des êtres humains",
    "un meilleur accès à l'hébergement pour les victimes",
    "la formation des professionnels au repérage des situations de traite",
    "le renforcement de l'identification des victimes",
    "la délivrance d'un titre de séjour aux victimes qui portent plainte",
    "un financement pérenne des associations spécialisées",
    "la protection des mineurs non accompagnés",
    "la création d'un mécanisme national d'orientation",
    "une meilleure coordination entre la police, la justice et les associations",
    "l'indemnisation systématique des victimes",
    "la désignation d'un magistrat référent dans chaque juridiction",
    "l'ouverture de places d'hébergement sécurisé",
    "un accompagnement juridique gratuit pour chaque personne identifiée",
    "la publication annuelle de données fiables sur la traite",
    "la prise en compte de l'exploitation par le travail",
    "le principe de non-sanction des victimes contraintes à commettre des délits",
    "l'accès des victimes aux soins et à un soutien psychologique",
    "une campagne nationale de sensibilisation du public",
    "le dispositif Ac.Sé d'accueil sécurisant",
    "la coopération avec les pays d'origine des victimes",
    "la lutte contre la mendicité forcée",
    "l'application de la directive européenne de 2011",
    "la révision du protocole d'identification des victimes",
    "le renforcement des contrôles dans les secteurs à risque",
]

CLAUSES = [
    "les victimes de traite des êtres humains restent insuffisamment identifiées",
    "le nombre de personnes accompagnées a augmenté de {pct}{NBSP}% en un an",
    "les moyens alloués aux associations ne suffisent pas à répondre aux besoins",
    "l'exploitation par le travail demeure largement sous-estimée",
    "la coordination entre les services de police et les associations s'est améliorée",
    "les mineurs exploités sont trop souvent traités comme des délinquants",
    "{num} victimes ont été identifiées par les associations en {year}",
    "les délais d'obtention d'un titre de séjour restent trop longs",
    "le plan d'action national n'a été que partiellement mis en œuvre",
    "les victimes hésitent à porter plainte par crainte de représailles",
    "les places d'hébergement sécurisé manquent dans la plupart des régions",
    "la formation des forces de l'ordre a progressé depuis {year}",
    "les réseaux criminels utilisent de plus en plus les plateformes en ligne",
    "la majorité des victimes accompagnées sont des femmes",
    "les condamnations pour traite restent peu nombreuses",
    "les associations jouent un rôle essentiel dans le repérage des victimes",
    "le recueil de données reste fragmenté entre les administrations",
    "la loi du 13{NBSP}avril 2016 a renforcé la protection des victimes",
    "les victimes de travail forcé sont souvent isolées et sans papiers",
    "les collectivités territoriales participent davantage aux actions de prévention",
    "les moyens de l'inspection du travail ont diminué depuis {year}",
    "le nombre de procédures judiciaires ouvertes a doublé entre {year} et {year2}",
    "l'accompagnement des victimes doit tenir compte de leur parcours",
    "les signalements transmis par les associations sont mieux suivis",
]

COMPLEMENTS = [
    "en {year}",
    "depuis l'entrée en vigueur de la loi du 13{NBSP}avril 2016",
    "dans plusieurs régions",
    "à l'échelle nationale",
    "selon les chiffres présentés en séance",
    "au cours de la dernière réunion",
    "malgré les engagements pris par le Gouvernement",
    "en lien avec les collectivités territoriales",
    "dans le cadre du plan d'action national",
    "pour l'année {year}",
    "à la demande des associations",
    "avec le soutien du Fonds social européen",
    "dans les départements d'outre-mer",
    "au niveau européen",
]

CONNECTORS = [
    "Par ailleurs",
    "En outre",
    "Toutefois",
    "De plus",
    "Dans ce contexte",
    "À cet égard",
    "En conséquence",
    "Pour autant",
    "Enfin",
    "Dans l'ensemble",
]

SOURCES = [
    "le dernier rapport du GRETA",
    "les données de l'Observatoire national des violences faites aux femmes",
    "l'enquête annuelle du collectif",
    "les associations de terrain",
    "le ministère de la Justice",
    "les chiffres de l'Office central",
    "la Commission européenne",
    "une étude publiée en {year}",
]

# Terms that may be emphasised or put in bold when found in a paragraph
TERMS = [
    "traite des êtres humains",
    "plan d'action national",
    "victimes",
    "associations",
    "exploitation par le travail",
    "titre de séjour",
    "mineurs non accompagnés",
    "hébergement sécurisé",
    "identification des victimes",
    "travail forcé",
    "non-sanction",
    "mécanisme national d'orientation",
    "coordination",
    "indemnisation",
]

QUOTES = [
    "aucune victime ne doit être laissée sans protection",
    "la traite est un crime, pas une fatalité",
    "nous ne pouvons pas agir sans moyens",
    "chaque victime identifiée est une vie qui change",
    "la protection des victimes passe avant la procédure",
    "le repérage commence sur le terrain",
]

LITERALS = [
    "article 225-4-1",
    "article L. 425-1",
    "article 706-3",
    "rapport-annuel-{year}.pdf",
    "contact@collectif.example.org",
    "PAN-{year}",
    "cerfa 15186*01",
    "119",
]

# Named hyperlinks with embedded URIs (name, URI): each name at most once per page
NAMED_LINKS = [
    ("le site de la CNCDH", "https://www.cncdh.fr/"),
    ("la page du GRETA", "https://www.coe.int/fr/web/anti-human-trafficking/greta"),
    ("le portail de la MIPROF", "https://arretonslesviolences.gouv.fr/"),
    ("la stratégie européenne", "https://home-affairs.ec.europa.eu/policies/internal-security/organised-crime-and-human-trafficking_fr"),
    ("la convention du Conseil de l'Europe", "https://www.coe.int/fr/web/conventions/full-list?module=treaty-detail&treatynum=197"),
    ("le rapport de l'ONUDC", "https://www.unodc.org/unodc/fr/human-trafficking/index.html"),
    ("le texte de la loi", "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000032396046"),
    ("Légifrance", "https://www.legifrance.gouv.fr/"),
]

# Anonymous hyperlinks (text, URI)
ANON_LINKS = [
    ("ce document", "https://www.example.org/documents/note-{year}.pdf"),
    ("la note de synthèse", "https://www.example.org/publications/synthese-{year}"),
    ("le communiqué", "https://www.example.org/presse/communique-{num}"),
    ("la vidéo de la conférence", "https://www.example.org/videos/conference-{year}"),
    ("le formulaire en ligne", "https://www.example.org/formulaire"),
    ("l'enquête complète", "https://www.example.org/enquetes/{year}/traite"),
]

# Hyperlink targets written at the bottom of the page (name, URI)
SEPARATE_TARGETS = [
    ("Ac.Sé", "https://www.acse-alc.org/"),
    ("Conseil de l'Europe", "https://www.coe.int/fr/"),
    ("Défenseur des droits", "https://www.defenseurdesdroits.fr/"),
    ("France Travail", "https://www.francetravail.fr/"),
    ("OCRTEH", "https://www.interieur.gouv.fr/"),
]

SUBSTITUTIONS = {
    "MIPROF": "Mission interministérielle pour la protection des femmes contre "
    "les violences et la lutte contre la traite des êtres humains",
    "TEH": "traite des êtres humains",
    "PAN": "plan d'action national",
}

SECTION_TITLES = [
    "Contexte",
    "Participants",
    "Points abordés",
    "Constats",
    "Recommandations",
    "Prochaines étapes",
    "Financement des associations",
    "Identification des victimes",
    "Protection des mineurs",
    "Exploitation par le travail",
    "Accès aux droits",
    "Hébergement et mise à l'abri",
    "Coopération internationale",
    "Questions diverses",
    "Décisions adoptées",
    "Calendrier",
    "Chiffres clés",
    "Témoignages",
    "Réponses des pouvoirs publics",
    "Formation des professionnels",
]

TOPICS = [
    "l'identification des victimes",
    "la protection des mineurs non accompagnés",
    "l'exploitation par le travail",
    "l'hébergement des victimes",
    "le plan d'action national",
    "l'accès aux droits des victimes",
    "la traite à des fins d'exploitation sexuelle",
    "la contrainte à commettre des délits",
    "la mendicité forcée",
    "l'esclavage domestique",
    "la formation des professionnels",
    "la coopération européenne",
    "l'indemnisation des victimes",
    "le titre de séjour des victimes",
    "la prévention en milieu scolaire",
    "le principe de non-sanction",
]

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
    "août", "septembre", "octobre", "novembre", "décembre",
]

TABLE_ROWS = [
    "Exploitation sexuelle",
    "Exploitation par le travail",
    "Contrainte à commettre des délits",
    "Mendicité forcée",
    "Esclavage domestique",
    "Mariage forcé",
]

TABLE_CAPTIONS = [
    "Victimes accompagnées par forme d'exploitation",
    "Personnes identifiées par les associations",
    "Procédures judiciaires ouvertes",
    "Places d'hébergement mobilisées",
]

SECTIONS = [
    # folder, title, share of pages
    ("rapports", "Comptes rendus de réunions", 0.36),
    ("rapports/annuels", "Rapports annuels", 0.04),
    ("declarations", "Déclarations et positions", 0.25),
    ("actualites", "Actualités", 0.35),
]


# --------------------------------------------------------------------------
# Building blocks


def fr_number(n: int) -> str:
    """1234 -> '1 234' with a narrow no-break space."""
    s = f"{n:,}"
    return s.replace(",", NNBSP)


def fr_date(rng: random.Random, year: int | None = None) -> str:
    year = year or rng.randint(2015, 2025)
    day = rng.randint(1, 28)
    d = "1er" if day == 1 else str(day)
    return f"{d}{NBSP}{rng.choice(MONTHS)} {year}"


def fill(rng: random.Random, template: str) -> str:
    year = rng.randint(2012, 2024)
    return template.format(
        NBSP=NBSP,
        year=year,
        year2=year + rng.randint(1, 4),
        pct=rng.randint(3, 45),
        num=fr_number(rng.randint(120, 4800)),
    )


def page_noun(page: "Page") -> str:
    folder = page.docname.rsplit("/", 1)[0]
    return {
        "rapports": "le compte rendu",
        "rapports/annuels": "le rapport annuel",
        "declarations": "la déclaration",
        "actualites": "l'article",
    }.get(folder, "la page")


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Wrap like an editor would; never break at hyphens or no-break spaces."""
    return textwrap.wrap(
        text,
        width=WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def slug(s: str) -> str:
    table = str.maketrans("àâäéèêëîïôöùûüçœ", "aaaeeeeiioouuuco")
    s = s.lower().translate(table)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def underline(title: str, char: str) -> str:
    return char * len(title)


# --------------------------------------------------------------------------
# Site plan


@dataclass
class Page:
    docname: str
    title: str
    label: str
    section_labels: list[str] = field(default_factory=list)


def plan_site(rng: random.Random, pages: int) -> tuple[list[Page], dict[str, list[Page]]]:
    by_folder: dict[str, list[Page]] = {folder: [] for folder, _, _ in SECTIONS}
    counts = [max(1, round(pages * share)) for _, _, share in SECTIONS]
    counts[-1] = max(1, pages - sum(counts[:-1]))
    all_pages: list[Page] = []
    for (folder, _, _), count in zip(SECTIONS, counts):
        for i in range(1, count + 1):
            if folder == "rapports":
                date = fr_date(rng)
                title = f"Réunion du comité de suivi du {date}"
                name = f"reunion-{i:03d}"
            elif folder == "rapports/annuels":
                year = 2024 - (i - 1)
                title = f"Rapport annuel {year}"
                name = f"rapport-{year}" if i <= 30 else f"rapport-{i:03d}"
            elif folder == "declarations":
                title = cap(f"déclaration sur {rng.choice(TOPICS)}")
                name = f"declaration-{i:03d}"
            else:
                kind = rng.choice(
                    ["Colloque sur", "Formation sur", "Nouvelle publication sur",
                     "Rencontre consacrée à", "Journée d'étude sur"]
                )
                title = f"{kind} {rng.choice(TOPICS)}"
                name = f"actualite-{i:03d}"
            docname = f"{folder}/{name}"
            page = Page(docname, title, slug(docname))
            n_sections = rng.randint(3, 6)
            titles = rng.sample(SECTION_TITLES, n_sections)
            page.section_labels = [
                (f"{page.label}-{slug(t)}", t) for t in titles
            ]
            by_folder[folder].append(page)
            all_pages.append(page)
    return all_pages, by_folder


# --------------------------------------------------------------------------
# Page writer


class PageWriter:
    def __init__(self, rng: random.Random, page: Page, all_pages: list[Page]):
        self.rng = rng
        self.page = page
        self.all_pages = all_pages
        self.lines: list[str] = []
        self.footnotes: list[tuple[str, str]] = []
        self.named_used: set[str] = set()
        self.targets_used: list[tuple[str, str]] = []
        self.substitutions_used: set[str] = set()

    # -- sentences -------------------------------------------------------

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.random()
        subject, plural = rng.choice(SUBJECTS)
        if kind < 0.35:
            verb = rng.choice(VERBS_CLAUSE)[plural]
            s = f"{subject} {verb} que {fill(rng, rng.choice(CLAUSES))}"
        elif kind < 0.65:
            verb = rng.choice(VERBS_OBJECT)[plural]
            s = f"{subject} {verb} {rng.choice(OBJECTS)}"
        elif kind < 0.8:
            s = f"{rng.choice(CONNECTORS)}, {fill(rng, rng.choice(CLAUSES))}"
        elif kind < 0.9:
            s = f"Selon {fill(rng, rng.choice(SOURCES))}, {fill(rng, rng.choice(CLAUSES))}"
        else:
            verb = rng.choice(VERBS_CLAUSE)[plural]
            quote = rng.choice(QUOTES)
            s = f"{subject} {verb} que «{NBSP}{quote}{NBSP}»"
        if rng.random() < 0.4 and "»" not in s and not re.search(r"\d{4}", s):
            s += " " + fill(rng, rng.choice(COMPLEMENTS))
        if "|MIPROF|" in s:
            self.substitutions_used.add("MIPROF")
        return cap(s)

    def end(self, s: str) -> str:
        r = self.rng.random()
        if r < 0.04:
            return s + f"{NNBSP}!"
        return s + "."

    # -- inline markup -----------------------------------------------------

    def other_page(self) -> Page:
        while True:
            p = self.rng.choice(self.all_pages)
            if p is not self.page or len(self.all_pages) == 1:
                return p

    def decorate(self, text: str) -> str:
        """Add inline markup to a sentence without its final punctuation."""
        rng = self.rng
        r = rng.random()
        if r < 0.22:
            text = self.mark_term(text, "*")
        elif r < 0.34:
            text = self.mark_term(text, "**")
        r = rng.random()
        if r < 0.10:
            p = self.other_page()
            label, _ = rng.choice(p.section_labels)
            text += f" (voir :ref:`{label}`)"
        elif r < 0.17:
            p = self.other_page()
            text += f", comme indiqué dans :ref:`{page_noun(p)} <{p.label}>`"
        elif r < 0.27:
            p = self.other_page()
            if rng.random() < 0.5:
                text += f" (voir :doc:`/{p.docname}`)"
            else:
                text += f", comme le précise :doc:`la page consacrée </{p.docname}>`"
        elif r < 0.35:
            name, uri = rng.choice(NAMED_LINKS)
            if name in self.named_used:
                text += f" (voir `{name} <{uri}>`__)"
            else:
                self.named_used.add(name)
                text += f" (voir `{name} <{uri}>`_)"
        elif r < 0.42:
            t, uri = rng.choice(ANON_LINKS)
            text += f" (voir `{t} <{fill(rng, uri)}>`__)"
        elif r < 0.47:
            name, uri = rng.choice(SEPARATE_TARGETS)
            if (name, uri) not in self.targets_used:
                self.targets_used.append((name, uri))
            text += f", en lien avec `{name}`_"
        elif r < 0.54:
            lit = fill(rng, rng.choice(LITERALS))
            text += f" (référence ``{lit}``)"
        elif r < 0.60:
            n = len(self.footnotes) + 1
            key = f"n{n}"
            self.footnotes.append((key, self.footnote_text()))
            text += f" [#{key}]_"
        elif r < 0.63:
            self.substitutions_used.add("TEH")
            text += ", dans la lutte contre la |TEH|"
        return text

    def mark_term(self, text: str, mark: str) -> str:
        for term in self.rng.sample(TERMS, len(TERMS)):
            m = re.search(r"(?<=[ \u00a0])" + re.escape(term) + r"(?=[ ,.\u00a0]|$)", text)
            if m and "`" not in text and "|" not in text[m.start():m.end()]:
                return text[: m.start()] + mark + term + mark + text[m.end():]
        return text

    def footnote_text(self) -> str:
        rng = self.rng
        options = [
            f"Chiffres communiqués par les associations membres en {rng.randint(2015, 2024)}.",
            f"Voir le rapport du GRETA sur la France, troisième cycle d'évaluation, p.{NBSP}{rng.randint(5, 120)}.",
            f"Loi n°{NBSP}2016-444 du 13{NBSP}avril 2016, article {rng.randint(1, 30)}.",
            f"Compte rendu adopté lors de la séance du {fr_date(rng)}.",
            f"Estimation du collectif à partir de {fr_number(rng.randint(200, 3000))} dossiers suivis.",
        ]
        return rng.choice(options)

    def paragraph(self) -> str:
        n = self.rng.randint(2, 5)
        parts = [self.end(self.decorate(self.sentence())) for _ in range(n)]
        return " ".join(parts)

    # -- blocks ------------------------------------------------------------

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def emit_paragraph(self) -> None:
        self.emit(*wrap(self.paragraph()), "")

    def emit_bullets(self) -> None:
        rng = self.rng
        intro = rng.choice([
            f"Les participants retiennent les priorités suivantes{NBSP}:",
            f"Le collectif formule les recommandations suivantes{NBSP}:",
            f"Plusieurs points ont été abordés{NBSP}:",
        ])
        self.emit(*wrap(intro), "")
        for obj in rng.sample(OBJECTS, rng.randint(3, 6)):
            item = cap(obj)
            if rng.random() < 0.3:
                item += " " + fill(rng, rng.choice(COMPLEMENTS))
            item = self.mark_term(item, "*") if rng.random() < 0.2 else item
            self.emit(*wrap(item + rng.choice([f"{NNBSP};", "."]), "  ", "* "))
        self.emit("")

    def emit_enumerated(self) -> None:
        rng = self.rng
        self.emit(*wrap(f"Le calendrier retenu est le suivant{NBSP}:"), "")
        for _ in range(rng.randint(3, 5)):
            item = f"{fr_date(rng)}{NBSP}: {self.sentence()}."
            self.emit(*wrap(item, "   ", "#. "))
        self.emit("")

    def emit_table(self) -> None:
        rng = self.rng
        year = rng.randint(2016, 2023)
        self.emit(
            f".. list-table:: {rng.choice(TABLE_CAPTIONS)}",
            "   :header-rows: 1",
            "   :widths: 50 25 25",
            "",
            "   * - Forme d'exploitation",
            f"     - {year}",
            f"     - {year + 1}",
        )
        for row in rng.sample(TABLE_ROWS, rng.randint(3, 6)):
            self.emit(
                f"   * - {row}",
                f"     - {fr_number(rng.randint(10, 2500))}",
                f"     - {fr_number(rng.randint(10, 2500))}",
            )
        self.emit("")

    def emit_note(self) -> None:
        kind = self.rng.choice(["note", "important", "admonition"])
        if kind == "admonition":
            self.emit(".. admonition:: À retenir", "")
        else:
            self.emit(f".. {kind}::", "")
        self.emit(*wrap(self.paragraph(), "   "), "")

    def emit_quote(self) -> None:
        q = cap(self.rng.choice(QUOTES))
        who = self.rng.choice(["La présidente du collectif", "Une bénévole", "Le rapporteur"])
        self.emit(f"{who} a conclu en ces termes{NBSP}:", "")
        self.emit(*wrap(f"«{NBSP}{q}{NBSP}»", "   "), "")

    def section(self, label: str, title: str, n_paras: int) -> None:
        rng = self.rng
        self.emit(f".. _{label}:", "", title, underline(title, "-"), "")
        extras = []
        if rng.random() < 0.35:
            extras.append(self.emit_bullets)
        if rng.random() < 0.15:
            extras.append(self.emit_enumerated)
        if rng.random() < 0.12:
            extras.append(self.emit_table)
        if rng.random() < 0.12:
            extras.append(self.emit_note)
        if rng.random() < 0.08:
            extras.append(self.emit_quote)
        slots = sorted(rng.randint(1, max(1, n_paras)) for _ in extras)
        k = 0
        for i in range(n_paras):
            self.emit_paragraph()
            while k < len(extras) and slots[k] == i + 1:
                extras[k]()
                k += 1
        while k < len(extras):
            extras[k]()
            k += 1

    def write(self) -> str:
        rng = self.rng
        page = self.page
        title = page.title
        self.emit(f".. _{page.label}:", "", underline(title, "="), title, underline(title, "="), "")
        total = rng.randint(15, 40)
        intro = rng.randint(1, 3)
        for _ in range(intro):
            self.emit_paragraph()
        rest = total - intro
        n_sec = len(page.section_labels)
        # split the remaining paragraphs across sections (at least one each)
        cuts = sorted(rng.sample(range(1, rest), n_sec - 1)) if rest > n_sec else list(range(1, n_sec))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [rest])]
        for (label, sec_title), size in zip(page.section_labels, sizes):
            self.section(label, sec_title, max(1, size))
        return self.finish()

    def finish(self) -> str:
        """Footnotes, hyperlink targets and substitutions, then the text."""
        if self.footnotes:
            self.emit(".. rubric:: Notes", "")
            for key, text in self.footnotes:
                self.emit(*wrap(text, "   ", f".. [#{key}] "))
            self.emit("")
        for name, uri in self.targets_used:
            self.emit(f".. _{name}: {uri}")
        if self.targets_used:
            self.emit("")
        for name in sorted(self.substitutions_used):
            self.emit(*wrap(f".. |{name}| replace:: {SUBSTITUTIONS[name]}", "   ", ""), "")
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def index_page(rng: random.Random, title: str, entries: list[str], maxdepth: int,
               all_pages: list[Page], label: str) -> str:
    w = PageWriter(rng, Page("index", title, label), all_pages)
    w.emit(f".. _{label}:", "", underline(title, "="), title, underline(title, "="), "")
    for _ in range(2):
        w.emit_paragraph()
    w.emit(".. toctree::", f"   :maxdepth: {maxdepth}", "")
    w.emit(*[f"   {e}" for e in entries])
    w.emit("")
    return w.finish()


CONF_PY = '''\
# Sphinx configuration of the benchmark site (generated by make_corpus.py).

project = "Collectif contre la traite des êtres humains"
author = "Collectif contre la traite des êtres humains"
copyright = "2024, Collectif contre la traite des êtres humains"

language = "fr"
locale_dirs = ["locale"]
gettext_compact = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
'''

PYPROJECT = '''\
[tool.translate-pipeline]
source_language = "fr"
target_languages = ["en"]
'''


def make_corpus(dest: str | Path, pages: int = 400, seed: int = 1) -> dict:
    """Write a corpus of ``pages`` content pages into ``dest``; return a summary."""
    dest = Path(dest)
    rng = random.Random(seed)
    all_pages, by_folder = plan_site(rng, pages)
    src = dest / "source" / "fr"
    src.mkdir(parents=True, exist_ok=True)
    (dest / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (dest / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")

    def write(docname: str, text: str) -> None:
        path = src / f"{docname}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    top_entries = []
    for folder, title, _ in SECTIONS:
        pages_here = by_folder[folder]
        entries = [p.docname.rsplit("/", 1)[1] for p in pages_here]
        if folder == "rapports":
            entries = ["annuels/index"] + entries
        if folder != "rapports/annuels":
            top_entries.append(f"{folder}/index")
        write(f"{folder}/index",
              index_page(rng, title, entries, 1, all_pages, slug(folder) + "-index"))
    write("index", index_page(rng, "Collectif contre la traite des êtres humains",
                              top_entries, 2, all_pages, "accueil"))
    for page in all_pages:
        write(page.docname, PageWriter(rng, page, all_pages).write())
    return {"pages": len(all_pages), "documents": len(all_pages) + len(SECTIONS) + 1}


# --------------------------------------------------------------------------
# Editing

_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1+\s*$")
_NOT_PROSE = re.compile(r"^(\.\. |\* |- |\+ |#\. |\d+\. |:|\s)")
# inline markup that edits must leave alone
_PROTECTED = re.compile(
    r"``.+?``"
    r"|:[a-z]+:`[^`]*`"
    r"|`[^`]*`__?"
    r"|\*\*[^*]+\*\*"
    r"|\*[^*]+\*"
    r"|\[#\w+\]_"
    r"|\|[^|]+\|"
    r"|«[^»]*»"
)

# (old, new) word or phrase replacements; both directions are used
SUBSTITUTES = [
    ("rappelle", "souligne"), ("rappellent", "soulignent"),
    ("constate", "observe"), ("constatent", "observent"),
    ("estime", "considère"), ("estiment", "considèrent"),
    ("demande", "réclame"), ("demandent", "réclament"),
    ("propose", "suggère"), ("proposent", "suggèrent"),
    ("salue", "accueille favorablement"), ("saluent", "accueillent favorablement"),
    ("soutient", "appuie"), ("soutiennent", "appuient"),
    ("augmenté", "progressé"),
    ("insuffisamment", "encore trop peu"),
    ("largement", "très largement"),
    ("le renforcement", "l'amélioration"),
    ("un meilleur accès", "un accès facilité"),
    ("essentiel", "déterminant"),
    ("restent", "demeurent"),
    ("reste", "demeure"),
    ("la plupart des", "de nombreuses"),
    ("plusieurs régions", "certaines régions"),
    ("trop souvent", "encore souvent"),
    ("peu nombreuses", "trop rares"),
    ("pérenne", "durable"),
    ("fiables", "consolidées"),
    ("Par ailleurs", "En outre"),
    ("Toutefois", "Cependant"),
    ("De plus", "Par ailleurs"),
    ("Enfin", "Pour finir"),
    ("Les participants", "Les membres présents"),
    ("Plusieurs intervenants", "Certains intervenants"),
    ("de terrain", "locales"),
    ("gratuit", "gratuit et confidentiel"),
    ("a progressé", "a nettement progressé"),
    ("s'est améliorée", "s'est nettement améliorée"),
]
_SUBST_MAP: dict[str, list[str]] = {}
for _a, _b in SUBSTITUTES:
    _SUBST_MAP.setdefault(_a, []).append(_b)
    _SUBST_MAP.setdefault(_b, []).append(_a)
_SUBST_RE = re.compile(
    r"(?<![\w'-])(" + "|".join(sorted(map(re.escape, _SUBST_MAP), key=len, reverse=True)) + r")(?![\w'-])"
)
_DROPPABLE = [
    " dans plusieurs régions", " à l'échelle nationale", " au niveau européen",
    " selon les chiffres présentés en séance", " à la demande des associations",
    " au cours de la dernière réunion", " en lien avec les collectivités territoriales",
]


MIN_PARAGRAPH = 120  # shorter blocks (list introductions...) are not edited


def _prose_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line ranges of top-level prose paragraphs.

    Titles, directives, lists, indented blocks and short lines such as list
    introductions are left out.
    """
    blocks = []
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < n and lines[j].strip():
            j += 1
        block = lines[i:j]
        if (
            not _NOT_PROSE.match(block[0])
            and not any(_UNDERLINE.match(l) for l in block)
            and sum(len(l) for l in block) >= MIN_PARAGRAPH
        ):
            blocks.append((i, j))
        i = j
    return blocks


def _edit_text(rng: random.Random, text: str) -> str:
    """Change a few words of ``text`` outside inline markup."""
    # split into editable and protected segments
    segments: list[tuple[bool, str]] = []
    pos = 0
    for m in _PROTECTED.finditer(text):
        segments.append((True, text[pos:m.start()]))
        segments.append((False, m.group()))
        pos = m.end()
    segments.append((True, text[pos:]))

    def apply(op) -> bool:
        editable = [k for k, (ok, s) in enumerate(segments) if ok and s]
        rng.shuffle(editable)
        for k in editable:
            new = op(segments[k][1])
            if new is not None and new != segments[k][1]:
                segments[k] = (True, new)
                return True
        return False

    def substitute(s: str) -> str | None:
        found = list(_SUBST_RE.finditer(s))
        if not found:
            return None
        m = rng.choice(found)
        return s[: m.start()] + rng.choice(_SUBST_MAP[m.group()]) + s[m.end():]

    def number(s: str) -> str | None:
        found = list(re.finditer(r"(?<![\w.-])(20[12]\d|\d{1,2})(?=\u00a0%| |\b)", s))
        if not found:
            return None
        m = rng.choice(found)
        v = int(m.group())
        v2 = v + rng.choice([-2, -1, 1, 2, 3]) if v < 2000 else v + rng.choice([-1, 1])
        return s[: m.start()] + str(max(1, v2)) + s[m.end():]

    def drop(s: str) -> str | None:
        present = [d for d in _DROPPABLE if d in s]
        if not present:
            return None
        return s.replace(rng.choice(present), "", 1)

    def insert(s: str) -> str | None:
        found = list(re.finditer(r"(?<=\w) que ", s))
        if not found:
            return None
        m = rng.choice(found)
        word = rng.choice([" également que ", " à nouveau que ", " aussi que "])
        return s[: m.start()] + word + s[m.end():]

    ops = [substitute, substitute, number, drop, insert]
    wanted = rng.randint(1, 3)
    done = 0
    for op in rng.sample(ops, len(ops)):
        if done >= wanted:
            break
        if apply(op):
            done += 1
    new = "".join(s for _, s in segments)
    if new == text:
        # last resort: qualify the end of the paragraph
        if new.endswith("."):
            new = new[:-1] + ", selon les dernières données disponibles."
        else:
            new = new + " Ce point sera réexaminé."
    return new


def edit_corpus(dest: str | Path, fraction: float, seed: int = 2) -> dict:
    """Edit ``fraction`` of the prose paragraphs of the corpus in ``dest``.

    Returns ``{"edited": n, "paragraphs": total, "files": f, "changes": [(old, new), ...]}``
    where ``old``/``new`` are the paragraph texts as Sphinx extracts them
    (lines joined by a space).
    """
    src = Path(dest) / "source" / "fr"
    files = sorted(src.rglob("*.rst"))
    texts = {f: f.read_text(encoding="utf-8").split("\n") for f in files}
    candidates = [(f, b) for f in files for b in _prose_blocks(texts[f])]
    rng = random.Random(seed)
    k = round(len(candidates) * fraction)
    chosen = rng.sample(candidates, k)
    # apply bottom-up within each file so line numbers stay valid
    chosen.sort(key=lambda c: (str(c[0]), -c[1][0]))
    changes = []
    for f, (start, end) in chosen:
        lines = texts[f]
        old = " ".join(l.strip() for l in lines[start:end])
        new = _edit_text(rng, old)
        lines[start:end] = wrap(new)
        changes.append((old, new))
    touched = {f for f, _ in chosen}
    for f in sorted(touched):
        f.write_text("\n".join(texts[f]), encoding="utf-8")
    return {"edited": len(chosen), "paragraphs": len(candidates),
            "files": len(touched), "changes": changes}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dest", help="directory of the corpus")
    ap.add_argument("--pages", type=int, default=400, help="number of content pages (default 400)")
    ap.add_argument("--seed", type=int, default=None,
                    help="random seed (default 1 to generate, 2 to edit)")
    ap.add_argument("--edit", type=float, metavar="FRACTION",
                    help="edit this fraction of the paragraphs of an existing corpus")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    if args.edit is not None:
        if not (0 <= args.edit <= 1):
            ap.error("--edit takes a fraction between 0 and 1")
        if not (Path(args.dest) / "source" / "fr").is_dir():
            ap.error(f"{args.dest}: no source/fr directory (generate the corpus first)")
        res = edit_corpus(args.dest, args.edit, 2 if args.seed is None else args.seed)
        if args.json:
            print(json.dumps({k: v for k, v in res.items() if k != "changes"}))
        else:
            print(f"edited {res['edited']} paragraphs of {res['paragraphs']} "
                  f"in {res['files']} files")
        return 0
    res = make_corpus(args.dest, args.pages, 1 if args.seed is None else args.seed)
    if args.json:
        print(json.dumps(res))
    else:
        print(f"wrote {res['documents']} documents ({res['pages']} pages) to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
