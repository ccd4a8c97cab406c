"""A small labelled people set with the recording errors person resolution must survive.

Used by the tests and the benchmark when no calibrated synthetic data set is at hand.
Every row knows its true person; the errors are the ones the 2008 report and the
interchange format describe: names spelt differently (transliteration variants,
typing errors, forename and surname swapped), dates of birth mistyped, day and month
swapped or missing (an age only), people moving house, nominal ids missing, shared
or split. Couples share a surname and an address, as the hard cases do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from dvpi.contract import codes
from dvpi.people.names import VARIANT_GROUPS

# Given names and surnames by officer-perceived ethnic appearance. Variant spellings
# are added by the noise below, from the same table the resolver uses.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # (female forenames, male forenames, surnames)
    "IC1": (("Anne", "Sarah", "Emma", "Laura", "Claire", "Lisa", "Kelly", "Joanne", "Amy",
             "Rachel", "Hannah", "Katarzyna", "Agnieszka", "Natalia", "Olga", "Yulia"),
            ("John", "David", "Paul", "Mark", "James", "Daniel", "Lee", "Craig", "Steven",
             "Michael", "Piotr", "Tomasz", "Alexander", "Sergei", "Andrei", "Dmitri"),
            ("Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker",
             "Wright", "Green", "Hall", "Wood", "Kowalski", "Nowak", "Ivanov", "Murphy",
             "Kelly", "Byrne", "Clarke", "Hughes")),
    "IC2": (("Maria", "Elena", "Ayse", "Fatma", "Sofia", "Giulia", "Ana", "Zeynep"),
            ("Mehmet", "Mustafa", "Giorgos", "Marco", "Jose", "Ahmet", "Luca", "Nikos"),
            ("Yilmaz", "Kaya", "Demir", "Papadopoulos", "Rossi", "Silva", "Santos",
             "Ozturk", "Georgiou", "Ferreira")),
    "IC3": (("Grace", "Blessing", "Chioma", "Oluwaseun", "Abena", "Precious", "Shanice",
             "Aaliyah", "Fatima", "Amina", "Halima", "Khadija"),
            ("Kwame", "Chukwuemeka", "Adebayo", "Tunde", "Marcus", "Jermaine", "Mamadou",
             "Abdoulaye", "Yusuf", "Ibrahim", "Abdi", "Ousmane"),
            ("Okafor", "Adeyemi", "Mensah", "Campbell", "Williams", "Johnson", "Diallo",
             "Mohamed", "Hassan", "Ali", "Osei", "Boateng", "Francis", "Thomas")),
    "IC4": (("Begum", "Fatima", "Aisha", "Nasrin", "Parveen", "Yasmin", "Rukhsana", "Amina",
             "Priya", "Sunita", "Harpreet", "Zainab", "Maryam", "Nur"),
            ("Mohammed", "Ahmed", "Hussain", "Abdul Rahman", "Imran", "Tariq", "Javed",
             "Raj", "Sanjay", "Harjit", "Shahid", "Iqbal", "Mahmood", "Syed"),
            ("Khan", "Ahmed", "Hussain", "Begum", "Ali", "Rahman", "Islam", "Miah",
             "Uddin", "Chowdhury", "Patel", "Singh", "Kaur", "Shah", "Sheikh", "Siddiqui",
             "Qureshi", "Iqbal", "Mahmood", "Hassan")),
    "IC5": (("Mei", "Li", "Linh", "Hoa", "Yan", "Ying", "Thi Lan", "Xin"),
            ("Wei", "Jun", "Minh", "Tuan", "Hao", "Jian", "Duc", "Bo"),
            ("Nguyen", "Tran", "Le", "Wang", "Li", "Zhang", "Chen", "Liu", "Pham", "Wong")),
    "IC6": (("Fatima", "Mariam", "Aisha", "Noor", "Layla", "Huda", "Rania", "Samira"),
            ("Mohammed", "Ahmed", "Omar", "Khalid", "Youssef", "Hassan", "Ali", "Mustafa",
             "Ibrahim", "Walid", "Said", "Rashid"),
            ("Ali", "Hassan", "Hussein", "Ibrahim", "Abdullah", "Saleh", "Haddad",
             "Mansour", "Al-Sayed", "Khalil")),
}
_WEIGHTS = {"IC1": 0.55, "IC2": 0.05, "IC3": 0.17, "IC4": 0.15, "IC5": 0.03, "IC6": 0.05}
_DISTRICTS = ("E1", "E2", "E3", "E10", "E11", "E14", "E17", "N1", "N7", "N15", "SE1",
              "SE5", "SE15", "SW2", "SW9", "W2", "W10", "NW1", "NW10", "IG1", "CR0")


def _variants() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for group in VARIANT_GROUPS:
        for spelling in group:
            out[spelling] = group
    return out


_VARIANTS = _variants()


@dataclass(frozen=True)
class Noise:
    """Chance of each recording error, per people row."""

    variant: float = 0.35      # another spelling of a name that has variants
    typo: float = 0.04         # one typing error in a name (each part)
    swapped: float = 0.02      # forename and surname swapped
    dob_missing: float = 0.06  # no date of birth (then an age, mostly)
    dob_typo: float = 0.03
    dob_swap: float = 0.02     # day and month swapped
    moved: float = 0.15        # a new postcode
    postcode_missing: float = 0.05
    nominal_missing: float = 0.3
    nominal_split: float = 0.02   # given a new id
    nominal_shared: float = 0.005  # given another person's id
    gender_missing: float = 0.04


@dataclass(frozen=True)
class Person:
    true_id: str
    forenames: str
    surname: str
    dob: date
    gender: str
    ethnic: str
    postcode: str
    nominal: str


def _postcode(rng: random.Random) -> str:
    return (f"{rng.choice(_DISTRICTS)} {rng.randint(1, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}")


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.33:
        return text[:i] + text[i + 1:]  # deletion
    if kind < 0.66:
        return text[:i] + rng.choice("aeiounrst") + text[i + 1:]  # substitution
    return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:]  # transposition


def _spell(rng: random.Random, name: str, noise: Noise) -> str:
    words = []
    for word in name.split(" "):
        group = _VARIANTS.get(word.upper())
        if group and rng.random() < noise.variant:
            word = rng.choice(group).title()
        words.append(word)
    name = " ".join(words)
    if rng.random() < noise.typo:
        name = _typo(rng, name)
    if rng.random() < 0.1:
        name = name.upper()  # some systems shout
    return name


def _dob_text(rng: random.Random, dob: date, noise: Noise) -> date | None:
    r = rng.random()
    if r < noise.dob_typo:
        try:
            digits = list(dob.strftime("%Y%m%d"))
            i = rng.choice((3, 5, 7))
            digits[i] = str((int(digits[i]) + rng.choice((1, 9))) % 10)
            text = "".join(digits)
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return dob
    if r < noise.dob_typo + noise.dob_swap and dob.day <= 12:
        return date(dob.year, dob.day, dob.month)
    return dob


def _new_person(rng: random.Random, n: int, ethnic: str, gender: str,
                surname: str | None = None, postcode: str | None = None) -> Person:
    female, male, surnames = _NAMES[ethnic]
    forenames = rng.choice(female if gender == "F" else male)
    if rng.random() < 0.15:  # a middle name
        forenames += " " + rng.choice(female if gender == "F" else male)
    return Person(
        true_id=f"T{n}",
        forenames=forenames,
        surname=surname or rng.choice(surnames),
        dob=date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 65)),
        gender=gender,
        ethnic=ethnic,
        postcode=postcode or _postcode(rng),
        nominal=f"N{100000 + n}",
    )


def generate(n_reports: int, seed: int = 1, noise: Noise | None = None) -> dict[str, pa.Table]:
    """Reports, people and the truth (person_id -> true_person_id) as Arrow tables."""
    noise = noise or Noise()
    rng = random.Random(seed)
    ethnics = list(_WEIGHTS)
    weights = [_WEIGHTS[e] for e in ethnics]
    couples: list[tuple[Person, Person]] = []
    persons: list[Person] = []
    reports: dict[str, list] = {"report_id": [], "borough": [], "recorded_date": [],
                                "occurred_date": [], "classification": [], "offence": [],
                                "dv_flag": []}
    people: dict[str, list] = {c: [] for c in (
        "person_id", "report_id", "role", "nominal_id", "surname", "forenames",
        "date_of_birth", "age", "gender", "ethnic_appearance", "postcode")}
    truth: dict[str, list] = {"person_id": [], "true_person_id": []}
    offences = [o for o in codes.OFFENCES if o not in codes.HOMICIDE_OFFENCES]
    start = date(2006, 4, 1)

    def add_row(person: Person, report_id: str, role: str, when: date) -> None:
        pid = f"P{len(people['person_id']) + 1}"
        fore = _spell(rng, person.forenames, noise)
        sur = _spell(rng, person.surname, noise)
        if rng.random() < noise.swapped:
            fore, sur = sur, fore
        dob: date | None = _dob_text(rng, person.dob, noise)
        age = None
        if rng.random() < noise.dob_missing:
            dob = None
            if rng.random() < 0.7:
                age = when.year - person.dob.year - (
                    (when.month, when.day) < (person.dob.month, person.dob.day))
        postcode: str | None = person.postcode
        if rng.random() < noise.moved:
            postcode = _postcode(rng)
        if rng.random() < noise.postcode_missing:
            postcode = None
        nominal: str | None = person.nominal
        r = rng.random()
        if r < noise.nominal_missing:
            nominal = None
        elif r < noise.nominal_missing + noise.nominal_split:
            nominal = f"N{900000 + len(people['person_id'])}"
        elif r < noise.nominal_missing + noise.nominal_split + noise.nominal_shared:
            nominal = rng.choice(persons).nominal
        gender = "U" if rng.random() < noise.gender_missing else person.gender
        for col, value in (("person_id", pid), ("report_id", report_id), ("role", role),
                           ("nominal_id", nominal), ("surname", sur), ("forenames", fore),
                           ("date_of_birth", dob), ("age", age), ("gender", gender),
                           ("ethnic_appearance", person.ethnic), ("postcode", postcode)):
            people[col].append(value)
        truth["person_id"].append(pid)
        truth["true_person_id"].append(person.true_id)

    for i in range(n_reports):
        # Repeat victimisation: most reports are by a couple already known.
        if couples and rng.random() < 0.45:
            victim, suspect = rng.choice(couples)
        else:
            ethnic = rng.choices(ethnics, weights)[0]
            victim = _new_person(rng, len(persons), ethnic, "F" if rng.random() < 0.8 else "M")
            persons.append(victim)
            shared = rng.random() < 0.6
            suspect = _new_person(
                rng, len(persons), ethnic, "M" if victim.gender == "F" else "F",
                surname=victim.surname if shared else None,
                postcode=victim.postcode if rng.random() < 0.7 else None,
            )
            persons.append(suspect)
            couples.append((victim, suspect))
        report_id = f"R{i + 1}"
        when = start + timedelta(days=rng.randrange(0, 730))
        crime = rng.random() < 0.6
        for col, value in (("report_id", report_id), ("borough", "Newham"),
                           ("recorded_date", when), ("occurred_date", when),
                           ("classification", "crime" if crime else "non_crime"),
                           ("offence", rng.choice(offences) if crime else None),
                           ("dv_flag", True)):
            reports[col].append(value)
        add_row(victim, report_id, "victim", when)
        add_row(suspect, report_id, "suspect", when)
        if rng.random() < 0.03:  # a cross allegation: each is also the other's suspect
            add_row(victim, report_id, "suspect", when)
            add_row(suspect, report_id, "victim", when)
    return {"reports": pa.table(reports), "people": pa.table(people), "truth": pa.table(truth)}


def write_dataset(directory: str | Path, n_reports: int, seed: int = 1,
                  noise: Noise | None = None) -> Path:
    """Write reports.csv and people.csv in the interchange format, and the truth to
    ``<directory>.truth/people.csv`` (the convention of ``dvpi synth``)."""
    import pyarrow.csv as pacsv

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = generate(n_reports, seed=seed, noise=noise)
    pacsv.write_csv(tables["reports"], directory / "reports.csv")
    pacsv.write_csv(tables["people"], directory / "people.csv")
    truth_dir = directory.parent / f"{directory.name}.truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(tables["truth"], truth_dir / "people.csv")
    return truth_dir / "people.csv"
