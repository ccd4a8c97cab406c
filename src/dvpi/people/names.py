"""Name normalisation for person resolution.

Police records spell one person's name many ways: case, accents, punctuation, the
order of forename and surname, and above all the several Latin spellings of one name
written in another script (Mohammed / Muhammad / Mohamed, Begum / Bibi). The 2008
report's repeat-victim count failed on exactly this. Every name is reduced here to:

- a *normalised* form: upper case, accents stripped, punctuation removed, spaces
  collapsed (``O'Brien-Smith`` -> ``OBRIEN SMITH``);
- a *canonical* form: each word replaced by the canonical spelling of its
  transliteration group, so variants compare equal;
- a *phonetic key* (NYSIIS of the canonical words), used to block candidate pairs and
  as a comparison level for spellings the table does not know.

The variant table is deliberately about transliteration, not nicknames: Mohammed and
Muhammad are one name written two ways, John and Jack are two names. Nicknames and
short forms (William / Bill / Will, Elizabeth / Liz / Beth) are a separate, weaker key,
:func:`nickname_root`: the model compares it as its own level ("a nickname of the same
forename"), so its weight is learned, and the canonical name never changes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish

# Each group: the canonical spelling first, then the variants read as it. Keep the
# groups disjoint (a test checks it).
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = (
    # Arabic given names, as written in South Asian, Arab, Somali, Turkish-speaking use
    ("MUHAMMAD", "MOHAMMED", "MOHAMMAD", "MOHAMED", "MOHAMAD", "MUHAMMED", "MUHAMAD",
     "MUHAMED", "MOHAMMOD", "MOHAMMUD", "MAHAMMAD", "MAHOMED", "MOHAMEED", "MOHMED",
     "MOHD", "MD", "MUHD"),
    ("AHMED", "AHMAD", "AHAMED", "AHMMED", "AHMEED", "AHMET"),
    ("HUSSAIN", "HUSSEIN", "HUSAIN", "HUSEIN", "HOSSAIN", "HOSSEIN", "HOSAIN", "HUSSAYN"),
    ("HASSAN", "HASAN", "HASSEN", "HASSANE"),
    ("ALI", "ALY", "ALEE"),
    ("ABDULLAH", "ABDULLA", "ABDALLAH", "ABDALLA"),
    ("ABDULLAHI", "ABDILLAHI", "ABDULAHI"),
    ("MUSTAFA", "MUSTAPHA", "MOSTAFA", "MUSTAFAH", "MOSTAPHA"),
    ("YUSUF", "YOUSUF", "YOUSEF", "YUSSUF", "YOUSSEF", "YUSEF", "YOUSAF", "YUSUFF"),
    ("IBRAHIM", "EBRAHIM", "IBRAHEEM", "IBRAHEM"),
    ("ISMAIL", "ISMAEL", "ESMAIL", "ISMAILL"),
    ("UMAR", "OMAR", "OMER", "UMER"),
    ("USMAN", "OSMAN", "OTHMAN", "UTHMAN", "OSMANE"),
    ("MAHMOOD", "MAHMUD", "MEHMOOD", "MAHMOUD", "MEHMUD"),
    ("MASOOD", "MASUD", "MASOUD", "MASUUD"),
    ("SYED", "SAYED", "SAYYID", "SAIYED", "SAYYED", "SAIYID", "SAYID"),
    ("RAHMAN", "REHMAN", "RAHMON", "RAHMAAN"),
    ("RAHIM", "RAHEEM", "REHIM"),
    ("KARIM", "KAREEM", "KERIM"),
    ("HAMID", "HAMEED", "HAMEID"),
    ("RASHID", "RASHEED", "RACHID", "RASHEID"),
    ("SAID", "SAEED", "SAEID", "SAYEED"),
    ("FARID", "FAREED"),
    ("MAJID", "MAJEED"),
    ("KHALID", "KHALED", "KHALEED"),
    ("WALID", "WALEED"),
    ("NASIR", "NASSER", "NASER", "NASEER"),
    ("TARIQ", "TARIK", "TAREK", "TARIQUE"),
    ("IQBAL", "IKBAL", "EQBAL"),
    ("JAMAL", "JAMAAL", "DJAMAL"),
    ("KHAN", "KHAAN"),
    ("BEGUM", "BIBI", "BEGAM", "BEGOM", "BEGUME"),
    ("CHOWDHURY", "CHOUDHURY", "CHAUDHRY", "CHAUDHARY", "CHOUDHARY", "CHOWDHARY",
     "CHAUDHURI", "CHOUDHRY", "CHOUDHARI", "CHAUDHARI", "CHOWDHURI", "CHOWDRY"),
    ("SHEIKH", "SHAIKH", "SHAIK", "SHEKH", "SHAIKHH", "SHEIK"),
    ("SIDDIQUI", "SIDDIQI", "SIDDIQUE", "SIDDIKI", "SIDIQUI"),
    ("QURESHI", "QURESHY", "KURESHI", "QURAISHI", "QURAISHY"),
    ("UDDIN", "UDIN", "UDDEEN", "UDDEN"),
    ("MIAH", "MIA", "MEAH", "MIYA", "MIYAH"),
    ("ISLAM", "ISLAAM"),
    ("KHATUN", "KHATOON", "KHATUNN"),
    ("FATIMA", "FATEMA", "FATIMAH", "FATMA", "FATEEMA"),
    ("AISHA", "AYESHA", "AISHAH", "AYSHA", "AICHA", "AYESA", "AYISHA", "AYSHE"),
    ("KHADIJA", "KHADIJAH", "KHADEEJA", "KHADIDJA"),
    ("MARYAM", "MARIAM", "MERYEM", "MARIYAM"),
    ("NUR", "NOOR", "NOUR"),
    ("ZAINAB", "ZEINAB", "ZAYNAB", "ZEYNEP"),
    ("AMINA", "AMINAH", "AMEENA", "AMENA"),
    ("HALIMA", "HALIMAH", "HALEEMA"),
    ("RUKHSANA", "RUKSANA", "ROKSANA", "RUKHSANAH"),
    ("SHAHID", "SHAHEED", "SHAHEID"),
    ("JAVED", "JAVAID", "JAVEED", "JAWED"),
    ("PARVEEN", "PERVEEN", "PARVIN", "PERVIN", "PARVEN"),
    ("NASRIN", "NASREEN", "NASRINE"),
    ("YASMIN", "YASMEEN", "YASMINE", "JASMIN"),
    # Slavic names written in Latin letters (Russian, Ukrainian, Polish, Balkan)
    ("ALEXANDER", "ALEKSANDER", "ALEKSANDR", "ALEXANDR", "OLEKSANDR", "ALEKSANDAR"),
    ("ALEXANDRA", "ALEKSANDRA", "OLEKSANDRA"),
    ("ALEXEI", "ALEKSEI", "ALEKSEY", "ALEXEY", "OLEKSII", "OLEKSIY"),
    ("SERGEI", "SERGEY", "SERHIY", "SERHII", "SERGIY"),
    ("ANDREI", "ANDREY", "ANDRII", "ANDRIY"),
    ("DMITRI", "DMITRY", "DMYTRO", "DMITRIY", "DIMITRI"),
    ("YURI", "YURIY", "IURII", "YURII", "JURIJ"),
    ("NATALIA", "NATALYA", "NATALIYA", "NATALJA"),
    ("YULIA", "YULIYA", "IULIIA", "JULIJA"),
    ("OLGA", "OLHA"),
    ("TATIANA", "TATYANA", "TETIANA", "TETYANA"),
    ("YEVGENY", "EVGENY", "EVGENII", "YEVHEN", "EVGENIY"),
    ("MIKHAIL", "MYKHAILO", "MIHAIL"),
    ("VIKTOR", "VICTOR", "WIKTOR"),
    ("WOJCIECH", "VOJTECH"),
    ("KATARZYNA", "KASIA", "KATARZINA"),
    ("WISNIEWSKI", "WISNEWSKI", "VISNIEVSKI"),
    # Irish names written as they sound
    ("SIOBHAN", "SHEVAUN", "SHIVAUN", "CHEVONNE"),
    # West African: the same name in English and French colonial spelling
    ("OLUWASEUN", "OLUWASHEUN"),
    ("ADEBAYO", "ADEBAYOH"),
    ("CHUKWUEMEKA", "CHUKWUMEKA"),
    ("MAMADOU", "MAMADU"),
    ("OUSMANE", "USMANE"),
    ("ABDOULAYE", "ABDULAYE", "ABDOULAY"),
    # Vietnamese: the commonest family name, often misspelt by ear
    ("NGUYEN", "NGUEN", "NGYUEN", "NGUYEM"),
)

# Given names and their usual short forms and nicknames (English, and the commonest
# in London's other communities). The first name of a group is its root. A short form
# shared by two names (ALEX: Alexander and Alexandra) sits in one group with both:
# gender and date of birth tell them apart. Keep the groups disjoint (a test checks it).
NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "WILLY", "LIAM"),
    ("ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"),
    ("RICHARD", "RICK", "RICKY", "RICH", "DICK", "RICHIE"),
    ("JAMES", "JIM", "JIMMY", "JAMIE", "JIMMIE"),
    ("JOHN", "JACK", "JOHNNY", "JONNY"),
    ("JONATHAN", "JON", "JONNO"),
    ("MICHAEL", "MIKE", "MICK", "MICKY", "MIKEY"),
    ("THOMAS", "TOM", "TOMMY"),
    ("CHRISTOPHER", "CHRIS", "KIT"),
    ("CHRISTINE", "CHRISTINA", "CHRISSY", "TINA", "KIRSTY", "KRISTINA"),
    ("NICHOLAS", "NICK", "NICKY", "NICO"),
    ("ANTHONY", "TONY", "ANT", "ANTONY"),
    ("DANIEL", "DAN", "DANNY"),
    ("DAVID", "DAVE", "DAVY", "DAI"),
    ("EDWARD", "ED", "EDDIE", "EDDY", "TED", "TEDDY", "NED"),
    ("JOSEPH", "JOE", "JOEY", "JOSE"),
    ("MATTHEW", "MATT", "MATTY"),
    ("STEPHEN", "STEVEN", "STEVE", "STEVIE"),
    ("PETER", "PETE"),
    ("SAMUEL", "SAMANTHA", "SAM", "SAMMY", "SAMMIE"),
    ("BENJAMIN", "BEN", "BENNY", "BENJI"),
    ("ALEXANDER", "ALEXANDRA", "ALEX", "ALEC", "SASHA", "SANDY", "LEXI"),
    ("ANDREW", "ANDY", "DREW"),
    ("CHARLES", "CHARLIE", "CHARLEY", "CHUCK", "CHAS"),
    ("CHARLOTTE", "LOTTIE", "CHARLI"),
    ("PATRICK", "PAT", "PADDY"),
    ("PATRICIA", "TRICIA", "TRISH", "PATSY"),
    ("TIMOTHY", "TIM", "TIMMY"),
    ("GREGORY", "GREG"),
    ("RAYMOND", "RAY"),
    ("RONALD", "RON", "RONNIE"),
    ("DONALD", "DON", "DONNIE"),
    ("KENNETH", "KEN", "KENNY"),
    ("LEONARD", "LEN", "LENNY", "LEO"),
    ("PHILIP", "PHILLIP", "PHIL"),
    ("GEOFFREY", "JEFFREY", "GEOFF", "JEFF"),
    ("FREDERICK", "FRED", "FREDDIE", "FREDDY"),
    ("ALFRED", "ALF", "ALFIE"),
    ("HENRY", "HARRY", "HAL", "HANK"),
    ("TERENCE", "TERRY"),
    ("GERALD", "GERRY", "JERRY"),
    ("LAWRENCE", "LAURENCE", "LARRY", "LAURIE"),
    ("NATHANIEL", "NATHAN", "NATE", "NAT"),
    ("ZACHARY", "ZAK", "ZACK", "ZAC"),
    ("JOSHUA", "JOSH"),
    ("ELIZABETH", "LIZ", "LIZZIE", "LIZZY", "BETH", "BETTY", "ELIZA", "BETSY", "LIBBY",
     "ELSIE", "BESS"),
    ("MARGARET", "MAGGIE", "MEG", "PEGGY", "MARGIE", "GRETA"),
    ("KATHERINE", "CATHERINE", "KATHRYN", "KATE", "KATIE", "KATY", "CATH", "CATHY",
     "KATHY", "KAT", "KITTY"),
    ("REBECCA", "BECKY", "BECCA", "BEX"),
    ("JENNIFER", "JENNY", "JEN", "JENNI"),
    ("JESSICA", "JESS", "JESSIE"),
    ("VICTORIA", "VICKY", "VIKKI", "TORI", "VICKI"),
    ("SUSAN", "SUE", "SUSIE", "SUZY", "SUZANNE", "SUSANNE"),
    ("DEBORAH", "DEBBIE", "DEBRA", "DEB", "DEBBY"),
    ("JACQUELINE", "JACKIE", "JACKY"),
    ("ABIGAIL", "ABBY", "ABBIE", "ABI"),
    ("AMANDA", "MANDY"),
    ("DOROTHY", "DOT", "DOTTIE", "DOLLY"),
    ("ELEANOR", "ELLIE", "NELL", "NELLIE", "ELLA"),
    ("GEMMA", "JEMMA"),
    ("NATASHA", "TASHA", "TASH"),
    ("PAMELA", "PAM"),
    ("SARAH", "SARA", "SALLY", "SAL"),
    ("ANNE", "ANN", "ANNA", "ANNIE", "HANNAH", "NANCY"),
    ("MARY", "MOLLY", "POLLY", "MAMIE"),
    ("JOANNE", "JOANNA", "JO", "JOJO"),
    ("JOSEPHINE", "JOSIE"),
    ("FRANCES", "FRANCIS", "FRAN", "FRANKIE", "FRANNY"),
    ("FRANKLIN", "FRANK"),
    ("LOUISE", "LOUISA", "LOU", "LOUIE", "LULU"),
    ("THERESA", "TERESA", "TESS", "TESSA", "TERRI"),
    ("CAROLINE", "CAROLYN", "CARRIE", "CARO"),
    ("STEPHANIE", "STEPH", "STEFFI"),
    ("DOMINIC", "DOM"),
    ("VINCENT", "VINCE", "VINNY"),
    ("MARK", "MARCUS", "MARCO"),
    ("OLUWAFEMI", "FEMI"),
    ("OLUWATOYIN", "TOYIN"),
    ("OLUWAKEMI", "KEMI"),
    ("OLUWATOSIN", "TOSIN"),
    ("OLUWADAMILOLA", "DAMILOLA", "DAMI"),
    ("ADEWALE", "WALE"),
    ("OLUWATOBI", "TOBI"),
    ("ABDULRAHMAN", "ABDI"),
    ("ABDULLAH", "ABDUL"),
    ("PRIYANKA", "PRIYA"),
    ("RAJESH", "RAJ"),
    ("SURINDER", "SINDY"),
    ("GURPREET", "GURI"),
    ("WOJCIECH", "WOJTEK"),
    ("KATARZYNA", "KASIA", "KASHA"),
    ("MALGORZATA", "GOSIA", "MALGOSIA"),
    ("ALEXEI", "ALYOSHA", "LYOSHA"),
    ("DMITRI", "DIMA", "MITYA"),
    ("YEVGENY", "ZHENYA"),
    ("MIKHAIL", "MISHA"),
    ("NATALIA", "NATA"),
    ("OLGA", "OLYA"),
    ("TATIANA", "TANYA"),
    ("YULIA", "YULYA"),
)

# The Arabic article / "servant of" prefix: written joined or apart, and several ways.
_ABD_PREFIXES = frozenset({"ABD", "ABDUL", "ABDEL", "ABDAL", "ABDOUL", "ABDOL", "ABDUR",
                           "ABDUS", "ABDU", "ABDI"})
# Joined particles of South Asian names: "Ud-Din" / "Uddin", "Ul Haq" / "Ulhaq".
_PARTICLES = frozenset({"UD", "UL", "UR", "US", "UZ"})
_ARTICLES = frozenset({"AL", "EL", "UL", "UR", "US", "AR", "AS", "AD", "AN", "AZ"})
# Yoruba names are often shortened by dropping "Oluwa-": Oluwaseun / Seun.
_OLUWA = "OLUWA"


def _variant_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in VARIANT_GROUPS:
        for spelling in group:
            mapping[spelling] = group[0]
    return mapping


VARIANTS: dict[str, str] = _variant_map()


def _nickname_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in NICKNAME_GROUPS:
        root = VARIANTS.get(group[0], group[0])
        for spelling in group:
            mapping[VARIANTS.get(spelling, spelling)] = root
    return mapping


NICKNAMES: dict[str, str] = _nickname_map()


def nickname_root(first: str | None) -> str | None:
    """The root of a canonical first forename's nickname group, else the name itself."""
    if not first:
        return None
    return NICKNAMES.get(first, first)

_NOT_LETTER = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r" +")


def normalise(raw: str | None) -> str | None:
    """Upper case, accents stripped, apostrophes dropped, other punctuation a space.

    Returns None for a blank or letter-less name.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKD", str(raw))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    # Letters with no decomposition that matter in European names.
    text = text.translate(str.maketrans({"Ł": "L", "Ø": "O", "Æ": "AE", "ß": "SS",
                                         "Đ": "D", "Ð": "D", "Þ": "TH", "Œ": "OE"}))
    text = text.replace("'", "").replace("’", "").replace("`", "")
    text = _NOT_LETTER.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def _canonical_token(token: str) -> str:
    if token.startswith(_OLUWA) and len(token) > len(_OLUWA) + 2:
        token = token[len(_OLUWA):]
    return VARIANTS.get(token, token)


@lru_cache(maxsize=200_000)
def canonical(raw: str | None) -> str | None:
    """The normalised name with every word in its canonical spelling.

    ``Abdul Rahman``, ``Abdulrahman`` and ``Abd-al Rehman`` all become
    ``ABDULRAHMAN``; ``Mohammed`` becomes ``MUHAMMAD``.
    """
    text = normalise(raw)
    if text is None:
        return None
    tokens = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _ABD_PREFIXES and i + 1 < len(tokens):
            # "Abdul Rahman", "Abd al-Rahman" -> ABDUL + canonical(RAHMAN), one word
            j = i + 1
            if tokens[j] in _ARTICLES and j + 1 < len(tokens):
                j += 1
            out.append("ABDUL" + _canonical_token(tokens[j]))
            i = j + 1
            continue
        if token in _PARTICLES and i + 1 < len(tokens):
            out.append(_canonical_token(token + tokens[i + 1]))
            i += 2
            continue
        for prefix in ("ABDUL", "ABDEL", "ABDOUL", "ABDAL", "ABDUR", "ABDUS"):
            rest = token[len(prefix):]
            if token.startswith(prefix) and len(rest) >= 3 and token not in VARIANTS:
                token = "ABDUL" + _canonical_token(rest)
                break
        else:
            token = _canonical_token(token)
        out.append(token)
        i += 1
    return " ".join(out)


@lru_cache(maxsize=200_000)
def phonetic(name: str | None) -> str | None:
    """A sound-alike key of a canonical name: NYSIIS of each word, joined."""
    if not name:
        return None
    return " ".join(jellyfish.nysiis(token) for token in name.split(" ") if token) or None


def first_token(name: str | None) -> str | None:
    if not name:
        return None
    return name.split(" ", 1)[0]


def sorted_tokens(forenames: str | None, surname: str | None) -> str | None:
    """Every word of both names, sorted: equal when the order was swapped.

    ``Khan Imran`` and ``Imran Khan`` (forename and surname swapped, as happens when
    an officer records a name in the order it was said) both give ``IMRAN KHAN``.
    """
    words = [w for part in (forenames, surname) if part for w in part.split(" ") if w]
    return " ".join(sorted(words)) or None


def name_features(forenames: str | None, surname: str | None) -> dict[str, str | None]:
    """The derived name columns the linkage model compares and blocks on."""
    fore = canonical(forenames)
    sur = canonical(surname)
    first = first_token(fore)
    return {
        "forenames_c": fore,
        "forename1": first,
        "surname_c": sur,
        "forename1_ph": phonetic(first),
        "surname_ph": phonetic(sur),
        "name_sorted": sorted_tokens(fore, sur),
    }
