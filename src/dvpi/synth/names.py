"""Name pools for London's communities, by origin group.

Each group says which ethnic appearance (IC) codes and self-defined ethnicities fit it, so
that names, appearance and self-defined ethnicity agree. Shares within an IC code are rough
assumptions for London in 2007.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    key: str
    ic: str
    sde: tuple[str, ...]  # self-defined codes this group uses, most likely first
    weight: float         # share within its IC code
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


_BRIT_M = ("James", "John", "David", "Michael", "Paul", "Mark", "Daniel", "Lee", "Craig",
           "Wayne", "Darren", "Stephen", "Gary", "Robert", "Thomas", "Jamie", "Ryan", "Dean",
           "Peter", "Christopher", "Matthew", "Anthony", "Steven", "Kevin", "Terry")
_BRIT_F = ("Sarah", "Emma", "Claire", "Lisa", "Michelle", "Kelly", "Nicola", "Joanne",
           "Louise", "Karen", "Gemma", "Donna", "Tracey", "Samantha", "Rebecca", "Laura",
           "Stacey", "Hayley", "Amy", "Charlotte", "Danielle", "Jade", "Susan", "Julie")
_BRIT_S = ("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans",
           "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson",
           "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Cooper",
           "King", "Baker", "Turner", "Hill", "Ward", "Moore", "Parker", "Cook", "Bennett")

ORIGINS: tuple[Origin, ...] = (
    Origin("british", "IC1", ("W1",), 0.70, _BRIT_M, _BRIT_F, _BRIT_S),
    Origin("irish", "IC1", ("W2", "W1"), 0.08,
           ("Sean", "Patrick", "Declan", "Liam", "Ciaran", "Conor", "Brendan", "Niall"),
           ("Siobhan", "Aoife", "Niamh", "Mary", "Bridget", "Roisin", "Ciara", "Orla"),
           ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
            "McCarthy", "Doyle", "Gallagher", "Doherty")),
    Origin("polish", "IC1", ("W9",), 0.12,
           ("Piotr", "Krzysztof", "Tomasz", "Marcin", "Pawel", "Michal", "Lukasz", "Jakub"),
           ("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Ewa", "Monika", "Karolina"),
           ("Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski",
            "Zielinski", "Szymanski", "Wozniak")),
    Origin("eastern_european", "IC1", ("W9",), 0.10,
           ("Andrei", "Ion", "Vasile", "Jonas", "Mindaugas", "Dmitri", "Sergei", "Ivan"),
           ("Elena", "Ioana", "Maria", "Ruta", "Jurgita", "Olga", "Natalia", "Irina"),
           ("Popescu", "Ionescu", "Kazlauskas", "Petrauskas", "Ivanov", "Petrov", "Popov",
            "Horvat", "Novak", "Balogh")),
    Origin("turkish", "IC2", ("W9", "O9"), 0.45,
           ("Mehmet", "Mustafa", "Ahmet", "Ali", "Hasan", "Huseyin", "Emre", "Murat"),
           ("Ayse", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Sevgi", "Derya"),
           ("Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Yildiz", "Ozturk", "Aydin", "Arslan")),
    Origin("cypriot_greek", "IC2", ("W9",), 0.30,
           ("Andreas", "Costas", "Georgios", "Nikos", "Christos", "Panayiotis"),
           ("Maria", "Eleni", "Despina", "Androulla", "Georgia", "Christina"),
           ("Georgiou", "Christodoulou", "Constantinou", "Ioannou", "Papadopoulos", "Demetriou")),
    Origin("portuguese_latin", "IC2", ("W9", "O9"), 0.25,
           ("Joao", "Carlos", "Luis", "Jose", "Paulo", "Miguel", "Diego"),
           ("Ana", "Maria", "Sofia", "Carla", "Patricia", "Juliana", "Lucia"),
           ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Rodrigues", "Gomez")),
    Origin("caribbean", "IC3", ("B1", "M1", "B9"), 0.45,
           ("Delroy", "Winston", "Leroy", "Marcus", "Andre", "Tyrone", "Jermaine", "Dwayne",
            "Clive", "Errol"),
           ("Marcia", "Sharon", "Claudette", "Jacqueline", "Simone", "Natasha", "Paulette",
            "Tanisha", "Beverley"),
           ("Campbell", "Brown", "Williams", "Thompson", "Clarke", "Francis", "Grant",
            "Henry", "Reid", "Morgan", "Bailey", "Powell")),
    Origin("west_african", "IC3", ("B2",), 0.40,
           ("Oluwaseun", "Chukwuemeka", "Kwame", "Kofi", "Emeka", "Adebayo", "Olumide",
            "Yaw", "Tunde", "Chinedu"),
           ("Funmilayo", "Abena", "Ngozi", "Adaeze", "Yetunde", "Akosua", "Chioma", "Folake"),
           ("Okafor", "Adeyemi", "Mensah", "Owusu", "Boateng", "Okonkwo", "Adebayo",
            "Oluwole", "Asante", "Nwosu")),
    Origin("somali", "IC3", ("B2", "B9"), 0.15,
           ("Abdi", "Mohamed", "Abdullahi", "Hassan", "Yusuf", "Ahmed"),
           ("Fadumo", "Hodan", "Amina", "Sahra", "Hawa", "Ifrah"),
           ("Farah", "Warsame", "Abdi", "Hussein", "Jama", "Osman", "Ali")),
    Origin("pakistani", "IC4", ("A2",), 0.30,
           ("Mohammed", "Imran", "Asif", "Tariq", "Khalid", "Zubair", "Bilal", "Usman"),
           ("Nasreen", "Shazia", "Rubina", "Samina", "Ayesha", "Nadia", "Saima", "Farzana"),
           ("Khan", "Hussain", "Ahmed", "Iqbal", "Malik", "Butt", "Qureshi", "Raja", "Akhtar")),
    Origin("bangladeshi", "IC4", ("A3",), 0.30,
           ("Mohammed", "Abdul", "Shahid", "Jamal", "Rahim", "Kamal", "Aziz", "Rafiq"),
           ("Begum", "Rokeya", "Shirin", "Nazma", "Rehana", "Salma", "Jahanara", "Rumana"),
           ("Miah", "Uddin", "Rahman", "Ali", "Islam", "Begum", "Choudhury", "Hoque", "Khatun")),
    Origin("indian", "IC4", ("A1",), 0.30,
           ("Rajesh", "Sanjay", "Amit", "Harjit", "Gurpreet", "Sunil", "Vijay", "Manoj"),
           ("Priya", "Sunita", "Anita", "Kamaljit", "Harpreet", "Rekha", "Meena", "Pooja"),
           ("Patel", "Singh", "Kaur", "Shah", "Sharma", "Gill", "Sandhu", "Mistry", "Kumar")),
    Origin("sri_lankan_other_asian", "IC4", ("A9",), 0.10,
           ("Suresh", "Kumaran", "Tharmalingam", "Nimal", "Arun"),
           ("Tharshini", "Nirmala", "Shanthi", "Kavitha", "Dilani"),
           ("Sivakumar", "Perera", "Fernando", "Selvarajah", "Nadarajah")),
    Origin("chinese", "IC5", ("O1",), 0.70,
           ("Wei", "Jun", "Ming", "Hong", "Kwok", "Chi"),
           ("Mei", "Li", "Xiu", "Yan", "Ling", "Hui"),
           ("Wong", "Chan", "Li", "Zhang", "Lee", "Cheung", "Liu", "Chen", "Ng", "Lam")),
    Origin("vietnamese_filipino", "IC5", ("A9", "O9"), 0.30,
           ("Minh", "Tuan", "Nguyen", "Jose", "Mark"),
           ("Thi", "Lan", "Maria", "Rosario", "Hoa"),
           ("Nguyen", "Tran", "Le", "Pham", "Santos", "Reyes", "Cruz")),
    Origin("arab", "IC6", ("O9", "A9"), 1.0,
           ("Ahmed", "Mohamed", "Omar", "Karim", "Youssef", "Samir", "Tarek", "Hamza"),
           ("Fatima", "Leila", "Nour", "Samira", "Mariam", "Yasmin", "Rania", "Huda"),
           ("Ahmed", "Hassan", "Ibrahim", "Mahmoud", "Saleh", "Abdullah", "Mansour", "Haddad")),
)

# Transliteration variants a recording officer may type for the same name.
TRANSLITERATIONS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad", "Muhammed"),
    "Mohamed": ("Mohammed", "Muhammad"),
    "Begum": ("Bibi", "Begom"),
    "Hussain": ("Hussein", "Husain"),
    "Ahmed": ("Ahmad", "Ahmet"),
    "Choudhury": ("Chowdhury", "Choudhry"),
    "Rahman": ("Rehman",),
    "Uddin": ("Udin", "Ud-Din"),
    "Miah": ("Mia", "Meah"),
    "Yusuf": ("Yousuf", "Yusef"),
    "Abdullahi": ("Abdillahi",),
    "Oluwaseun": ("Seun",),
    "Katarzyna": ("Kasia",),
    "Wisniewski": ("Wisnewski",),
    "Siobhan": ("Shevaun",),
    "Khatun": ("Khatoon",),
}
