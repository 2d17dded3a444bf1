"""Word lists for the demo population (``casework demo``): names, places and the free text of a
case record. Everything here is fictional; no person, address or identifier is real.

Names are grouped by the cultures most represented among people who speak a language other than
English at home in the United States (the same source as ``casework.core.codes.COMMON_LANGUAGES``),
so a client's name, preferred language and interpreter need fit together.
"""

from __future__ import annotations

from dataclasses import dataclass


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names (kept as prose so the lists stay compact)."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


@dataclass(frozen=True)
class Culture:
    key: str
    weight: int
    # (BCP 47 tag, weight): the preferred language of someone from this group.
    languages: tuple[tuple[str, int], ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    # Given to about this share of people as a middle name (the Vietnamese "Thi"/"Van" and the
    # like); English names get an ordinary middle name from the given-name lists instead.
    middle_female: tuple[str, ...] = ()
    middle_male: tuple[str, ...] = ()
    middle_share: float = 0.25


CULTURES: tuple[Culture, ...] = (
    Culture(
        key="anglo",
        weight=34,
        languages=(("en", 1),),
        female=_names(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, "
            "Nancy, Lisa, Margaret, Sandra, Ashley, Emily, Donna, Michelle, Carol, Amanda, "
            "Melissa, Deborah, Stephanie, Rebecca, Laura, Sharon, Kathleen, Amy, Shirley, Anna, "
            "Brenda, Emma, Megan, Hannah, Olivia, Abigail, Heather, Rachel, Katherine, Judith"
        ),
        male=_names(
            "James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, Charles, "
            "Christopher, Daniel, Matthew, Anthony, Mark, Donald, Steven, Paul, Andrew, Joshua, "
            "Kenneth, Kevin, Brian, George, Timothy, Ronald, Edward, Jason, Jeffrey, Ryan, Gary, "
            "Nicholas, Eric, Jacob, Tyler, Dylan, Kyle, Wayne, Harold, Dale"
        ),
        family=_names(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Martin, Thompson, White, Clark, Lewis, Walker, Hall, Allen, Young, "
            "King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, Campbell, Mitchell, Roberts, "
            "Carter, Phillips, Evans, Turner, Parker, Collins, Edwards, Stewart, Morris, Murphy, "
            "Cook, Rogers, O'Brien, McCarthy, Sullivan, Olson, Larson, Schmidt, Kowalski, Novak, "
            "Becker, Lindqvist"
        ),
        middle_share=0.35,
    ),
    Culture(
        key="african_american",
        weight=14,
        languages=(("en", 1),),
        female=_names(
            "Aaliyah, Keisha, Tamika, Latoya, Imani, Ebony, Jasmine, Shanice, Denise, Yolanda, "
            "Gloria, Tiana, Monique, Alicia, Dorothy, Bernice, Tanisha, Kendra, Nia, Zora"
        ),
        male=_names(
            "DeShawn, Marcus, Jamal, Tyrone, Darnell, Andre, Terrence, Malik, Jerome, Reginald, "
            "Cedric, Darius, Isaiah, Xavier, Calvin, Otis, Lamar, Curtis, Kareem, Booker"
        ),
        family=_names(
            "Washington, Jackson, Robinson, Harris, Coleman, Jenkins, Brooks, Bell, Hayes, Gaines, "
            "Freeman, Simmons, Banks, Mosley, Dixon, Holloway, Sims, Pryor, Tate, Ellis, Franklin, "
            "Grant"
        ),
        middle_share=0.35,
    ),
    Culture(
        key="hispanic",
        weight=25,
        languages=(("es", 50), ("es-MX", 15), ("en", 35)),
        female=_names(
            "María, Guadalupe, Rosa, Ana, Carmen, Josefina, Lucía, Isabel, Verónica, Alejandra, "
            "Gabriela, Adriana, Sofía, Valeria, Daniela, Marisol, Yesenia, Leticia, Beatriz, "
            "Elena, Juana, Paola, Ximena, Esperanza, Teresa"
        ),
        male=_names(
            "José, Juan, Luis, Carlos, Jorge, Miguel, Jesús, Francisco, Alejandro, Manuel, "
            "Ricardo, Roberto, Fernando, Javier, Eduardo, Sergio, Andrés, Raúl, Héctor, Diego, "
            "Mateo, Santiago, Óscar, Ramón, Arturo"
        ),
        family=_names(
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Reyes, Morales, Cruz, Ortiz, Gutiérrez, Chávez, "
            "Ramos, Ruiz, Mendoza, Vásquez, Castillo, Jiménez, Moreno, Romero, Herrera, Medina, "
            "Aguilar, Vargas, Guzmán, Núñez, Delgado, Contreras, Salazar, Ibarra, Cervantes, "
            "Zamora"
        ),
        middle_female=_names("Guadalupe, del Carmen, Isabel, Luisa, Elena"),
        middle_male=_names("Antonio, Luis, Manuel, José, Ángel"),
        middle_share=0.2,
    ),
    Culture(
        key="vietnamese",
        weight=6,
        languages=(("vi", 70), ("en", 30)),
        female=_names(
            "Lan, Linh, Mai, Hoa, Huong, Thu, Trang, Ngoc, Anh, Phuong, Thao, Hanh, Nga, Yen, Kim, "
            "Tuyet, Hang, Bich, Diep, Loan"
        ),
        male=_names(
            "Minh, Tuan, Hung, Long, Nam, Quang, Huy, Thanh, Duc, Khoa, Phuc, Vinh, Bao, Son, Hai, "
            "Trung, Tam, Hieu, Cuong, Dat"
        ),
        family=_names(
            "Nguyen, Tran, Le, Pham, Hoang, Huynh, Phan, Vu, Vo, Dang, Bui, Do, Ho, Ngo, Duong, "
            "Ly, Truong, Dinh, Lam, Mai"
        ),
        middle_female=_names("Thi, Thi, Ngoc, Thanh, Kim"),
        middle_male=_names("Van, Van, Duc, Minh, Quoc"),
        middle_share=0.7,
    ),
    Culture(
        key="chinese",
        weight=5,
        languages=(("zh", 45), ("yue", 20), ("en", 35)),
        female=_names(
            "Mei, Li, Xiuying, Yan, Jing, Hui, Ling, Fang, Xiaoling, Min, Qing, Yun, Lihua, Shu, "
            "Ying, Hong, Xia, Lan, Wing, Siu Ling"
        ),
        male=_names(
            "Wei, Jian, Hao, Jun, Ming, Lei, Qiang, Tao, Bo, Gang, Yong, Jie, Zhiwei, Guoqiang, "
            "Haoran, Yi, Peng, Feng, Kai, Kwok Wai"
        ),
        family=_names(
            "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, "
            "Lin, He, Gao, Luo, Wong, Chan, Lee, Leung, Chow, Lau, Cheung, Ng"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="somali",
        weight=4,
        languages=(("so", 75), ("en", 25)),
        female=_names(
            "Hodan, Amina, Fadumo, Sahra, Ifrah, Ubah, Hawa, Nimco, Khadra, Maryan, Sagal, Ayan, "
            "Hibo, Deeqa, Filsan"
        ),
        male=_names(
            "Abdirahman, Mohamed, Ahmed, Abdi, Hassan, Liban, Yusuf, Omar, Farah, Mahad, "
            "Abdullahi, Ismail, Guled, Bashir, Khalid"
        ),
        family=_names(
            "Ali, Hassan, Mohamed, Warsame, Farah, Abdi, Yusuf, Osman, Jama, Hersi, Aden, Ismail, "
            "Noor, Dahir, Elmi, Gedi"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="arabic",
        weight=2,
        languages=(("ar", 70), ("en", 30)),
        female=_names(
            "Fatima, Aisha, Mariam, Layla, Noor, Huda, Rania, Samira, Yasmin, Zainab, Amal, Salma, "
            "Dina, Hana, Reem"
        ),
        male=_names(
            "Mohammed, Ahmed, Ali, Omar, Khalid, Yusuf, Hassan, Ibrahim, Tariq, Karim, Samir, "
            "Walid, Faisal, Nabil, Majid"
        ),
        family=_names(
            "Haddad, Khalil, Nasser, Saleh, Hamdan, Darwish, Aziz, Mansour, Qasim, Rahman, Abbas, "
            "Hussein, Jaber, Farouk, Suleiman"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="russian",
        weight=2,
        languages=(("ru", 70), ("en", 30)),
        female=_names(
            "Olga, Natalia, Svetlana, Irina, Elena, Tatiana, Ludmila, Galina, Anastasia, Yulia, "
            "Ekaterina, Marina, Oksana, Valentina, Nadezhda"
        ),
        male=_names(
            "Sergei, Alexei, Dmitri, Ivan, Nikolai, Vladimir, Andrei, Mikhail, Yuri, Pavel, "
            "Viktor, Boris, Oleg, Igor, Anatoly"
        ),
        family=_names(
            "Ivanov, Smirnov, Kuznetsov, Popov, Volkov, Sokolov, Petrov, Morozov, Pavlov, Kozlov, "
            "Novikov, Fedorov, Orlov, Lebedev, Sorokin"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="filipino",
        weight=3,
        languages=(("tl", 45), ("en", 55)),
        female=_names(
            "Rosario, Maricel, Jocelyn, Liza, Analyn, Marites, Rowena, Divina, Erlinda, Imelda, "
            "Corazon, Lorna, Janelle, Kristine, Girlie"
        ),
        male=_names(
            "Rodrigo, Ramon, Eduardo, Renato, Rolando, Ferdinand, Danilo, Reynaldo, Marlon, Noel, "
            "Ariel, Jomar, Arnel, Romeo, Efren"
        ),
        family=_names(
            "Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Dela Cruz, Villanueva, "
            "Castillo, Aquino, Navarro, Mercado, Manalo, Soriano, Pascual, Dizon"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="haitian",
        weight=3,
        languages=(("ht", 65), ("fr", 10), ("en", 25)),
        female=_names(
            "Marie, Nadège, Fabienne, Guerline, Mirlande, Roseline, Widline, Kettly, Yolette, "
            "Magalie, Esther, Lourdes, Nathalie, Rose-Marie, Judith"
        ),
        male=_names(
            "Jean, Pierre, Jean-Claude, Wilner, Frantz, Emmanuel, Jacques, Lesly, Wilson, Fritz, "
            "Roody, Stanley, Réginald, Evens, Ronel"
        ),
        family=_names(
            "Jean-Baptiste, Pierre, Joseph, Louis, Charles, Étienne, François, Dorvil, Desir, "
            "Augustin, Célestin, Toussaint, Mompremier, Florestal, Saint-Fleur"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="korean",
        weight=2,
        languages=(("ko", 65), ("en", 35)),
        female=_names(
            "Ji-yeon, Min-ji, Seo-yeon, Eun-ji, Hye-jin, Soo-jin, Mi-kyung, Young-hee, Jung-eun, "
            "Hyun-joo, Sun-hee, Eun-young"
        ),
        male=_names(
            "Min-jun, Ji-ho, Seung-hoon, Dong-hyun, Sung-min, Jae-won, Hyun-woo, Young-soo, "
            "Jin-ho, Sang-woo, Kyung-soo, Tae-yang"
        ),
        family=_names(
            "Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon"
        ),
        middle_share=0.0,
    ),
)

# A few English given names and the name people go by.
NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "Margaret": "Peggy",
    "Katherine": "Kate",
    "Richard": "Rick",
    "Patricia": "Patty",
    "Joseph": "Joe",
    "Anthony": "Tony",
    "Deborah": "Debbie",
}

# Demo County is fictional; so are its towns, streets and postal codes.
CITIES = (
    ("Riverton", "97701"),
    ("Millbrook", "97703"),
    ("Cedar Falls", "97707"),
    ("Harbor Point", "97711"),
    ("Oak Hollow", "97712"),
    ("Pine Ridge", "97720"),
)
STATE = "OR"
STREETS = (
    "Maple Ave",
    "Oak St",
    "Riverside Dr",
    "Cedar Ln",
    "Main St",
    "Elm St",
    "Hillcrest Rd",
    "Lincoln Blvd",
    "Park Ave",
    "Willow Way",
    "Orchard Rd",
    "Mill St",
    "Harbor View Dr",
    "Jefferson St",
    "Washington Ave",
    "Birch Ct",
    "Chestnut St",
    "Valley Rd",
    "Pioneer Pkwy",
    "Juniper Loop",
    "Aspen Ct",
    "Canyon Rd",
)
# 555-0100 to 555-0199 are reserved for fictional use in North American numbering.
PHONE_AREA_CODES = ("541", "458")

AGENCY = "Demo County Health & Human Services"
MEDICAID_ASSIGNER = "State Medicaid Agency (fictional)"
MEDICARE_ASSIGNER = "Centers for Medicare & Medicaid Services (fictional number)"

REFERRAL_SOURCES = (
    "Primary care — Riverton Family Clinic",
    "Emergency department — Demo County General",
    "Inpatient psychiatric unit discharge planner",
    "Self-referral",
    "Family member",
    "Harbor Point Food Bank",
    "Homeless outreach team",
    "Health plan care management",
    "Jail reentry program",
    "Millbrook Senior Center",
    "Crisis line",
    "Cedar Falls Behavioral Health",
)

REFERRAL_REASONS: dict[str, tuple[str, ...]] = {
    "brokerage": (
        "Needs help applying for SNAP and Medicaid.",
        "Facing eviction next month; needs housing assistance.",
        "No primary care provider; missed follow-up after an ED visit.",
        "Needs transportation to medical appointments.",
        "Recently unemployed; needs help with benefits and food.",
        "Older adult living alone; family worried about meals and bills.",
    ),
    "strengths": (
        "Wants help returning to work after a long period of unemployment.",
        "Recently moved into supported housing; wants to build a life in the community.",
        "Isolated since discharge; wants to reconnect with family and church.",
        "Wants to finish a GED and find part-time work.",
        "Living with bipolar disorder; wants support to stay well and keep an apartment.",
    ),
    "integrated": (
        "Three ED visits in six months for uncontrolled diabetes.",
        "Heart failure readmission within 30 days; lives alone.",
        "COPD with frequent exacerbations; struggles to afford inhalers.",
        "Multiple chronic conditions, depression and unstable housing.",
        "Discharged after a stroke; needs coordination of home health and follow-up.",
        "High-cost member flagged by the health plan; eight medications from four prescribers.",
    ),
    "intensive": (
        "Two psychiatric admissions in the last year; not engaged with outpatient care.",
        "Discharged from the state hospital; needs intensive community support.",
        "Homeless with untreated psychosis; outreach team requests ACT.",
        "Frequent crisis contacts and police involvement; stopped medication.",
        "Released from jail with serious mental illness; no follow-up in place.",
    ),
    "clinical": (
        "Moderate depression (PHQ-9 16); needs counselling and help with work stress.",
        "Anxiety and panic attacks; missing work; primary care requests support.",
        "Trauma symptoms after a car accident; needs therapy and coordination.",
        "Alcohol use affecting health and family; wants help cutting down.",
        "Postpartum depression; needs counselling and childcare resources.",
    ),
}

FINDINGS_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
# ICD-10-CM codes confirmed at screening, by program model. Serious mental illness codes fall
# under the intensive program's required F20, F25, F31 and F33 categories.
SMI_FINDINGS = (
    ("F20.9", "Schizophrenia, unspecified"),
    ("F20.0", "Paranoid schizophrenia"),
    ("F25.0", "Schizoaffective disorder, bipolar type"),
    ("F25.1", "Schizoaffective disorder, depressive type"),
    ("F31.2", "Bipolar disorder, current episode manic severe with psychotic features"),
    ("F31.9", "Bipolar disorder, unspecified"),
    ("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    ("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
)
NON_SMI_FINDINGS = (
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ("F10.20", "Alcohol dependence, uncomplicated"),
)
FINDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "brokerage": (
        ("Z59.00", "Homelessness, unspecified"),
        ("Z59.41", "Food insecurity"),
        ("Z59.82", "Transportation insecurity"),
        ("Z59.86", "Financial insecurity"),
        ("Z56.0", "Unemployment, unspecified"),
        ("Z60.2", "Problems related to living alone"),
    ),
    "strengths": (
        ("F33.1", "Major depressive disorder, recurrent, moderate"),
        ("F31.9", "Bipolar disorder, unspecified"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("Z56.0", "Unemployment, unspecified"),
        ("Z59.01", "Sheltered homelessness"),
    ),
    "integrated": (
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("I50.9", "Heart failure, unspecified"),
        ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
        ("I10", "Essential (primary) hypertension"),
        ("N18.30", "Chronic kidney disease, stage 3 unspecified"),
        ("F32.A", "Depression, unspecified"),
    ),
    "clinical": (
        ("F32.1", "Major depressive disorder, single episode, moderate"),
        ("F41.1", "Generalized anxiety disorder"),
        ("F41.0", "Panic disorder [episodic paroxysmal anxiety]"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
        ("F10.10", "Alcohol abuse, uncomplicated"),
    ),
}

WAITLIST_REASONS = (
    "Eligible; no case manager has room yet — added to the waitlist.",
    "Eligible; waiting for an opening on the team.",
)
ON_HOLD_REASONS = (
    "Client admitted to hospital.",
    "Client out of the area caring for a relative for a few weeks.",
    "Client in 28-day residential treatment.",
    "Client asked to pause services for a month.",
)
RESUME_REASONS = ("Client back home; services resumed.", "Pause ended; contact resumed.")
TRANSITION_REASONS = (
    "Goals largely met; planning discharge.",
    "Preparing step-down to a less intensive service.",
    "Client relocating; arranging a handoff.",
)
REOPEN_REASONS = (
    "Client re-referred after a hospital admission; reassessment needed.",
    "Client asked for help again after losing housing.",
    "Symptoms returned; primary care asked us to re-engage.",
)
ENTERED_IN_ERROR_REASONS = (
    "Referral entered for the wrong client.",
    "Entered in the wrong program by mistake.",
)
REASSIGN_REASONS = (
    "Rebalancing caseloads across the team.",
    "Client asked for a different case manager.",
    "Client moved to another part of the county.",
)

# Closures before anyone took the case on: (closure reason, reason text).
REFERRAL_CLOSURES: tuple[tuple[str, str], ...] = (
    ("unable_to_contact", "No response to three calls and a letter within 14 days of referral."),
    ("duplicate", "Duplicate of a referral received the same week."),
    ("declined", "Client declined services when first contacted."),
)
SCREENING_CLOSURES: tuple[tuple[str, str], ...] = (
    ("declined", "Client declined services at the screening call."),
    ("ineligible", "Already enrolled in health-plan care management; referred back to the plan."),
    ("ineligible", "Lives outside Demo County; referred to the county of residence."),
)
INTENSIVE_INELIGIBLE = (
    "ineligible",
    "Screening found no qualifying serious mental illness diagnosis; referred to Outpatient "
    "Clinical Case Management instead.",
)
WAITLIST_CLOSURES: tuple[tuple[str, str], ...] = (
    ("declined", "Client chose not to wait; given a community resource list."),
    ("moved", "Client moved out of the county while on the waitlist."),
)

# Closures of enrolled cases: (closure reason, reason, discharge summary).
PLANNED_CLOSURES: tuple[tuple[str, str, str], ...] = (
    (
        "goals_met",
        "Care plan goals met.",
        "Goals in the care plan met. Client manages appointments and benefits independently; no "
        "open referrals. Re-referral information given.",
    ),
    (
        "connected_to_services",
        "Connected to ongoing services.",
        "Connected to primary care and community services; first appointments kept. Client "
        "agreed to close case management.",
    ),
    (
        "stepped_down",
        "Stable; stepped down.",
        "Stable for several months with no crisis contacts or admissions. Stepped down to a less "
        "intensive service with a warm handoff.",
    ),
    (
        "transferred",
        "Transferred at the client's request.",
        "Transferred to another agency at the client's request; records sent with consent.",
    ),
)
UNPLANNED_CLOSURES: tuple[tuple[str, str, str], ...] = (
    (
        "unable_to_contact",
        "Lost to follow-up.",
        "Three phone attempts, a letter and a home visit over 30 days with no response. Closed "
        "per outreach policy; the client may re-refer at any time.",
    ),
    (
        "moved",
        "Client moved away.",
        "Client moved out of Demo County; given contacts for services in the new area.",
    ),
    (
        "declined",
        "Client withdrew.",
        "Client declined further case management after discussing options; knows how to re-refer.",
    ),
    (
        "hospitalized_long_term",
        "Long-term placement.",
        "Client admitted to the state hospital for long-term treatment; inpatient social worker "
        "informed and records shared with consent.",
    ),
    (
        "incarcerated",
        "Client incarcerated.",
        "Client incarcerated; jail health services and the reentry program notified with consent.",
    ),
)


# ----------------------------------------------------------------------------------------------
# Care plans (issue 4). A need's topic decides its goal, interventions, barrier and education; the
# goal is in the client's words, in Spanish for Spanish-speaking clients. Days are counted from
# the day the plan is written. Owner types: case_manager, client, family, provider, care_team.


@dataclass(frozen=True)
class NeedTopic:
    key: str
    domain: str
    snomed: str  # SNOMED CT finding, where one fits the ICD-10-CM code well
    words_en: tuple[str, ...]
    words_es: tuple[str, ...]
    statement: str
    measure: str
    baseline: str
    target: str
    target_days: int
    interventions: tuple[tuple[str, str, int], ...]
    barriers: tuple[tuple[str, str], ...]
    education: tuple[str, str]  # (EducationTopic, what was taught)


NEED_TOPICS: dict[str, NeedTopic] = {
    topic.key: topic
    for topic in (
        NeedTopic(
            "food", "food", "733423003",
            ("I want enough food for my kids every week.",
             "I don't want to run out of food at the end of the month."),
            ("Quiero tener comida suficiente para mis hijos.",
             "No quiero quedarme sin comida al final del mes."),
            "Client will be enrolled in SNAP and use a food pantry at least twice a month, with "
            "no days without enough food, within 60 days.",
            "Days in the past month without enough food (self-report)", "About 8 days", "0 days",
            60,
            (("Complete and submit the SNAP application with the client", "case_manager", 7),
             ("Visit the Harbor Point Food Bank on Tuesday mornings", "client", 14),
             ("Send the SNAP interview notice and proof of income", "client", 21)),
            (("Works irregular hours and misses pantry times",
              "Use the Saturday pantry and the mobile market"),),
            ("resources", "SNAP interview, what to bring, and the food bank schedule"),
        ),
        NeedTopic(
            "housing", "housing", "",
            ("I want to keep my apartment.", "I don't want to lose my home."),
            ("Quiero quedarme en mi apartamento.", "No quiero perder mi casa."),
            "Client will pay rent arrears through county rent assistance and keep the current "
            "tenancy, with no eviction filing, for the next 90 days.",
            "Housing status", "Eviction notice served", "Lease in good standing, no filing", 90,
            (("Apply for emergency rent assistance with the client", "case_manager", 5),
             ("Call the landlord to agree a payment plan", "client", 7),
             ("Refer to Legal Aid for eviction defense", "case_manager", 10)),
            (("Behind on rent by two months", "Rent assistance application and payment plan"),
             ("Afraid to talk to the landlord", "Case manager joins the first call")),
            ("resources", "Tenant rights, the eviction timeline and where to get legal help"),
        ),
        NeedTopic(
            "homeless", "housing", "32911000",
            ("I want a place of my own where I feel safe.", "I want to get off the street."),
            ("Quiero un lugar propio donde pueda vivir en paz.",
             "Quiero dejar de vivir en la calle."),
            "Client will move into stable housing (rapid rehousing or permanent supportive "
            "housing) within 120 days.",
            "Nights housed in the past month", "0", "30", 120,
            (("Complete the coordinated entry housing assessment", "case_manager", 7),
             ("Gather ID, birth certificate and income proof for applications", "client", 21),
             ("Hold a bed at the shelter while the housing search goes on", "provider", 3)),
            (("No ID or birth certificate", "Order a birth certificate; DMV voucher for ID"),
             ("No phone to get calls from housing programs", "Lifeline phone application")),
            ("resources", "How coordinated entry works and what to expect from a housing match"),
        ),
        NeedTopic(
            "transport", "transportation", "",
            ("I need a way to get to my doctor's appointments.",
             "I want to stop missing appointments because I have no ride."),
            ("Necesito cómo llegar a mis citas médicas.",
             "No quiero faltar a mis citas por no tener transporte."),
            "Client will attend every scheduled medical appointment in the next 60 days using "
            "Medicaid non-emergency transportation or a reduced-fare bus pass.",
            "Appointments kept / scheduled", "1 of 3 last quarter", "All kept", 60,
            (("Enroll the client with the Medicaid ride line", "case_manager", 5),
             ("Book rides at least two days before each appointment", "client", 14),
             ("Apply for the reduced-fare bus pass", "client", 21)),
            (("No car; the bus stop is a mile away", "Door-to-door Medicaid rides"),),
            ("follow_up", "How to book and confirm a Medicaid ride for each appointment"),
        ),
        NeedTopic(
            "money", "financial", "",
            ("I want to pay my bills without falling behind.",
             "I want to stop choosing between medicine and the light bill."),
            ("Quiero pagar mis cuentas sin atrasarme.",
             "No quiero tener que escoger entre las medicinas y la luz."),
            "Client will apply for every benefit they qualify for (SNAP, Medicaid, energy "
            "assistance) and keep a monthly budget within 45 days.",
            "Bills paid on time each month", "2 of 5", "5 of 5", 45,
            (("Screen for benefits and start the applications", "case_manager", 7),
             ("Bring bills and income letters to the next visit", "client", 10),
             ("Help with the monthly budget", "family", 30)),
            (("Income changes month to month", "Budget for the lowest month"),),
            ("resources", "Energy assistance, Medicaid renewal dates and a simple budget"),
        ),
        NeedTopic(
            "work", "employment", "73438004",
            ("I want to get a job again.", "I want to work part-time and earn my own money."),
            ("Quiero volver a trabajar.", "Quiero trabajar medio tiempo y ganar mi propio dinero."),
            "Client will complete two job applications a week with vocational rehabilitation "
            "and start work or training within 120 days.",
            "Job applications a week", "0", "2", 120,
            (("Refer to vocational rehabilitation (supported employment)", "case_manager", 10),
             ("Update the résumé at the library job center", "client", 14),
             ("Practice interviews with the employment specialist", "provider", 30)),
            (("Gap in work history", "Employment specialist helps explain the gap"),),
            ("self_management", "Benefits counselling: how earnings affect SSI and Medicaid"),
        ),
        NeedTopic(
            "alone", "social", "105529008",
            ("I don't want to feel so alone.", "I want to see people during the week."),
            ("Quiero tener con quién hablar durante la semana.",
             "Quiero salir y ver gente cada semana."),
            "Client will take part in a social activity (senior center lunch, faith group or "
            "peer group) at least once a week within 30 days.",
            "Social activities a week", "0", "1 or more", 30,
            (("Arrange a ride to the Millbrook Senior Center lunch", "case_manager", 7),
             ("Go to the Wednesday lunch at least once", "client", 14),
             ("Call every Sunday and visit once a month", "family", 30)),
            (("Hearing loss makes groups hard", "Hearing screening; sit near the speaker"),),
            ("resources", "Senior center activities, meals on wheels and the friendly-caller line"),
        ),
        NeedTopic(
            "depression", "behavioral", "35489007",
            ("I want to feel like myself again and get out of bed in the morning.",
             "I want to enjoy things again and spend time with my family."),
            ("Quiero volver a sentirme bien y tener ganas de levantarme.",
             "Quiero disfrutar otra vez y pasar tiempo con mi familia."),
            "Client's PHQ-9 score will fall below 10 within 90 days with weekly counselling and "
            "a medication review.",
            "PHQ-9 total score", "16", "Below 10", 90,
            (("Schedule weekly counselling sessions", "case_manager", 7),
             ("Medication review with the primary care provider", "provider", 21),
             ("Walk 20 minutes on three days a week", "client", 14)),
            (("Low energy makes it hard to keep appointments",
              "Reminder calls the day before; morning appointments"),),
            ("condition", "What depression is, how treatment works, warning signs and who to call"),
        ),
        NeedTopic(
            "anxiety", "behavioral", "21897009",
            ("I want to get through the day without panic attacks.",
             "I want to worry less and sleep better."),
            ("Quiero pasar el día sin ataques de pánico.",
             "Quiero preocuparme menos y dormir mejor."),
            "Client's GAD-7 score will fall below 10 within 90 days through counselling and "
            "daily practice of a calming skill.",
            "GAD-7 total score", "15", "Below 10", 90,
            (("Start cognitive behavioral therapy sessions", "provider", 14),
             ("Practice breathing exercises every day and log them", "client", 7),
             ("Check in by phone every two weeks", "case_manager", 14)),
            (("Avoids leaving home when anxious", "First sessions by video"),),
            ("self_management", "Paced breathing and grounding, practiced together"),
        ),
        NeedTopic(
            "trauma", "behavioral", "47505003",
            ("I want to sleep through the night and drive again.",
             "I want to feel safe in my own home."),
            ("Quiero dormir toda la noche y volver a manejar.",
             "Quiero sentirme seguro en mi propia casa."),
            "Client will complete a course of trauma-focused therapy and report nightmares on "
            "no more than one night a week within 120 days.",
            "Nights a week with nightmares", "5", "1 or fewer", 120,
            (("Refer to trauma-focused therapy (CPT or PE)", "case_manager", 10),
             ("Keep a sleep diary", "client", 14),
             ("Sleep and medication review", "provider", 30)),
            (("Reminders of the accident when driving", "Graded practice with the therapist"),),
            ("condition", "Common reactions after trauma and how therapy helps"),
        ),
        NeedTopic(
            "alcohol", "substance_use", "15167005",
            ("I want to cut down on drinking so my family trusts me again.",
             "I want to stop drinking during the week."),
            ("Quiero tomar menos para que mi familia vuelva a confiar en mí.",
             "Quiero dejar de tomar entre semana."),
            "Client will drink on no more than two days a week, with no more than two drinks a "
            "day, within 90 days (AUDIT-C below 4).",
            "AUDIT-C score", "8", "Below 4", 90,
            (("Referral to outpatient substance use counselling", "case_manager", 7),
             ("Talk with the doctor about medication for alcohol use", "provider", 21),
             ("Go to a support group once a week", "client", 14)),
            (("Friends drink after work", "Plan for Fridays; support group buddy"),),
            ("condition", "Standard drinks, safe limits and the effect of alcohol on mood"),
        ),
        NeedTopic(
            "psychosis", "behavioral", "58214004",
            ("I want to stay out of the hospital and have my own place.",
             "I want to keep my apartment and see my sister."),
            ("Quiero no volver al hospital y tener mi propio lugar.",
             "Quiero quedarme en mi apartamento y ver a mi hermana."),
            "Client will take antipsychotic medication as agreed with the psychiatrist and have "
            "no psychiatric admissions for the next 6 months.",
            "Psychiatric admissions", "2 in the last 12 months", "None in 6 months", 180,
            (("Home visits three times a week; medication delivery", "care_team", 3),
             ("Psychiatrist visit every four weeks", "provider", 28),
             ("Keep the weekly pill organizer and call the team when it is empty", "client", 7),
             ("Sunday dinner and a call when something seems wrong", "family", 14)),
            (("Believes medication is not needed", "Shared decision on a long-acting injection"),
             ("Stopped medication after side effects", "Side-effect review every visit")),
            ("medications", "What each medication is for, side effects and what to do about them"),
        ),
        NeedTopic(
            "bipolar", "behavioral", "13746004",
            ("I want to keep my moods steady and keep my apartment.",
             "I want to catch it early when I'm getting sick."),
            ("Quiero mantener mi ánimo estable y conservar mi apartamento.",
             "Quiero darme cuenta a tiempo cuando me estoy enfermando."),
            "Client will keep a daily mood chart, take mood stabilizer as prescribed and have "
            "no hospital admissions in the next 6 months.",
            "Days charted a week; admissions", "0 days; 1 admission last year",
            "7 days; no admissions", 180,
            (("Psychiatric medication visit", "provider", 21),
             ("Keep a daily mood and sleep chart", "client", 7),
             ("Write the relapse warning-sign plan together", "case_manager", 14)),
            (("Sleep falls apart on night shifts", "Ask for day shifts; sleep routine"),),
            ("medications", "Lithium levels, side effects and early warning signs"),
        ),
        NeedTopic(
            "diabetes", "medical", "44054006",
            ("I want to get my sugar under control so I stop ending up in the ER.",
             "I want to keep my feet and my eyes."),
            ("Quiero controlar mi azúcar para no terminar en la sala de emergencias.",
             "Quiero cuidar mis pies y mis ojos."),
            "Client's HbA1c will fall from 10.2% to below 8% within 120 days, with no "
            "emergency visits for high or low blood sugar.",
            "HbA1c", "10.2%", "Below 8%", 120,
            (("Enroll in the diabetes self-management class", "case_manager", 14),
             ("Check blood sugar twice a day and bring the log to visits", "client", 7),
             ("Insulin titration and foot exam", "provider", 30)),
            (("Cannot afford test strips", "Pharmacy assistance program"),),
            ("medications", "Insulin timing, signs of low blood sugar and what to do"),
        ),
        NeedTopic(
            "heart", "medical", "84114007",
            ("I want to stay out of the hospital and walk to the store.",
             "I want to breathe without getting so tired."),
            ("Quiero no volver al hospital y poder caminar a la tienda.",
             "Quiero respirar sin cansarme tanto."),
            "Client will weigh every morning, follow a 2 g sodium diet and call the clinic for a "
            "gain of 2 lb in a day or 5 lb in a week, with no heart failure readmission in 90 "
            "days.",
            "Heart failure readmissions", "1 in the last 30 days", "None in 90 days", 90,
            (("Post-discharge call and medication reconciliation", "case_manager", 2),
             ("Weigh every morning and write it down", "client", 7),
             ("Cardiology follow-up within 7 days of discharge", "provider", 7),
             ("Shop for low-salt food with the client", "family", 14)),
            (("Lives alone; no scale at home", "Scale delivered through the health plan"),),
            ("condition", "Daily weights, salt, fluid and when to call the clinic"),
        ),
        NeedTopic(
            "copd", "medical", "13645005",
            ("I want to breathe easier and afford my inhalers.",
             "I want to play with my grandchildren without stopping."),
            ("Quiero respirar mejor y poder pagar mis inhaladores.",
             "Quiero jugar con mis nietos sin tener que parar."),
            "Client will use the maintenance inhaler every day and have no emergency visit for "
            "COPD in 90 days.",
            "COPD emergency visits", "3 in 6 months", "None in 90 days", 90,
            (("Apply for the inhaler patient-assistance program", "case_manager", 7),
             ("Pulmonary rehabilitation referral", "provider", 21),
             ("Use the inhaler every morning; rescue inhaler on hand", "client", 7)),
            (("Cost of inhalers", "Patient-assistance program"),),
            ("medications", "Inhaler technique, demonstrated and shown back"),
        ),
        NeedTopic(
            "pressure", "medical", "38341003",
            ("I want my blood pressure to be normal.", "I want to stay healthy for my family."),
            ("Quiero tener la presión normal.", "Quiero estar sano para mi familia."),
            "Client's blood pressure will be below 130/80 on home readings within 90 days.",
            "Average home blood pressure", "156/94", "Below 130/80", 90,
            (("Home blood pressure cuff through the health plan", "case_manager", 7),
             ("Take blood pressure three mornings a week and log it", "client", 14),
             ("Medication adjustment visit", "provider", 30)),
            (("Skips pills when feeling fine", "Pill organizer and phone alarm"),),
            ("medications", "Why blood pressure pills are taken every day, even when well"),
        ),
        NeedTopic(
            "kidney", "medical", "433144002",
            ("I want to keep my kidneys working as long as I can.",
             "I don't want to end up on dialysis."),
            ("Quiero cuidar mis riñones.", "No quiero terminar en diálisis."),
            "Client will see nephrology and keep blood pressure below 130/80, with kidney "
            "function checked every 3 months, over the next 180 days.",
            "Nephrology visits kept; eGFR", "No nephrologist; eGFR 48", "Visits kept; eGFR stable",
            180,
            (("Nephrology referral and first appointment", "case_manager", 14),
             ("Avoid ibuprofen and naproxen; ask the pharmacist", "client", 7),
             ("Kidney function labs every 3 months", "provider", 90)),
            (("Many pills from different prescribers", "One pharmacy; medication review"),),
            ("medications", "Medicines that harm the kidneys and which to avoid"),
        ),
    )
}  # fmt: skip

# ICD-10-CM code (prefix) → topic. The longest matching prefix wins.
NEED_TOPIC_BY_CODE: dict[str, str] = {
    "Z59.41": "food", "Z59.4": "food",
    "Z59.811": "housing", "Z59.81": "housing",
    "Z59.0": "homeless",
    "Z59.82": "transport",
    "Z59.86": "money", "Z59.7": "money",
    "Z56": "work",
    "Z60.2": "alone",
    "F32": "depression", "F33": "depression", "F53": "depression",
    "F41": "anxiety", "F43": "trauma", "F10": "alcohol",
    "F20": "psychosis", "F25": "psychosis", "F31": "bipolar",
    "E11": "diabetes", "I50": "heart", "J44": "copd", "I10": "pressure", "N18": "kidney",
}  # fmt: skip

# Needs the referral itself names, when screening recorded no finding for them.
REFERRAL_NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Needs help applying for SNAP and Medicaid.": (
        ("Z59.41", "Food insecurity"),
        ("Z59.7", "Insufficient social insurance and welfare support"),
    ),
    "Facing eviction next month; needs housing assistance.": (
        ("Z59.811", "Housing instability, housed, with risk of homelessness"),
    ),
    "No primary care provider; missed follow-up after an ED visit.": (
        ("Z59.82", "Transportation insecurity"),
    ),
    "Needs transportation to medical appointments.": (("Z59.82", "Transportation insecurity"),),
    "Recently unemployed; needs help with benefits and food.": (
        ("Z56.0", "Unemployment, unspecified"),
        ("Z59.41", "Food insecurity"),
    ),
    "Older adult living alone; family worried about meals and bills.": (
        ("Z60.2", "Problems related to living alone"),
        ("Z59.41", "Food insecurity"),
    ),
    "Wants help returning to work after a long period of unemployment.": (
        ("Z56.0", "Unemployment, unspecified"),
    ),
    "Recently moved into supported housing; wants to build a life in the community.": (
        ("Z60.2", "Problems related to living alone"),
    ),
    "Isolated since discharge; wants to reconnect with family and church.": (
        ("Z60.2", "Problems related to living alone"),
    ),
    "Wants to finish a GED and find part-time work.": (("Z56.0", "Unemployment, unspecified"),),
    "Living with bipolar disorder; wants support to stay well and keep an apartment.": (
        ("F31.9", "Bipolar disorder, unspecified"),
    ),
    "Three ED visits in six months for uncontrolled diabetes.": (
        ("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
    ),
    "Heart failure readmission within 30 days; lives alone.": (
        ("I50.9", "Heart failure, unspecified"),
        ("Z60.2", "Problems related to living alone"),
    ),
    "COPD with frequent exacerbations; struggles to afford inhalers.": (
        ("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
        ("Z59.86", "Financial insecurity"),
    ),
    "Multiple chronic conditions, depression and unstable housing.": (
        ("F32.A", "Depression, unspecified"),
        ("Z59.811", "Housing instability, housed, with risk of homelessness"),
    ),
    "Discharged after a stroke; needs coordination of home health and follow-up.": (
        ("I10", "Essential (primary) hypertension"),
        ("Z59.82", "Transportation insecurity"),
    ),
    "High-cost member flagged by the health plan; eight medications from four prescribers.": (
        ("I10", "Essential (primary) hypertension"),
    ),
    "Homeless with untreated psychosis; outreach team requests ACT.": (
        ("Z59.00", "Homelessness, unspecified"),
    ),
    "Moderate depression (PHQ-9 16); needs counselling and help with work stress.": (
        ("F32.1", "Major depressive disorder, single episode, moderate"),
    ),
    "Anxiety and panic attacks; missing work; primary care requests support.": (
        ("F41.0", "Panic disorder [episodic paroxysmal anxiety]"),
    ),
    "Trauma symptoms after a car accident; needs therapy and coordination.": (
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ),
    "Alcohol use affecting health and family; wants help cutting down.": (
        ("F10.10", "Alcohol abuse, uncomplicated"),
    ),
    "Postpartum depression; needs counselling and childcare resources.": (
        ("F53.0", "Postpartum depression"),
    ),
}
# When neither screening nor the referral names a need, the program's usual one.
DEFAULT_NEEDS: dict[str, tuple[str, str]] = {
    "brokerage": ("Z59.41", "Food insecurity"),
    "strengths": ("Z56.0", "Unemployment, unspecified"),
    "integrated": ("E11.9", "Type 2 diabetes mellitus without complications"),
    "intensive": ("F20.9", "Schizophrenia, unspecified"),
    "clinical": ("F32.1", "Major depressive disorder, single episode, moderate"),
    "other": ("Z59.811", "Housing instability, housed, with risk of homelessness"),
}

# Strengths by life domain of the Strengths Model (Rapp & Goscha 2012): daily living, finances,
# work and education, social supports, health, leisure, spirituality and culture.
STRENGTHS: tuple[tuple[str, str], ...] = (
    ("daily_living", "Keeps a clean, orderly home and cooks for themself"),
    ("daily_living", "Knows the bus routes across the county"),
    ("finances", "Has kept a bank account and paid the phone bill every month"),
    ("work_education", "Worked twelve years in warehouse and kitchen jobs; reliable worker"),
    ("work_education", "Good with computers; finished two years of community college"),
    ("social_supports", "Close to a sister who calls every week"),
    ("social_supports", "Neighbors check in and help with rides"),
    ("social_supports", "Grown children nearby who want to help"),
    ("health", "Takes medication regularly when it is set out in a pill organizer"),
    ("health", "Walks every day and has quit smoking before"),
    ("leisure", "Loves gardening; helps at the community garden"),
    ("leisure", "Plays guitar and enjoys music groups"),
    ("spirituality_culture", "Active member of a church that offers rides and meals"),
    ("spirituality_culture", "Proud of their culture; enjoys cooking traditional food for family"),
    ("personal", "Determined; has come through hard times before"),
    ("personal", "Honest about what is and is not working"),
)

FAMILY_HELPERS = ("Daughter", "Son", "Sister", "Brother", "Spouse", "Niece", "Friend")
PROVIDERS = (
    "Dr. Alvarez, Riverton Family Clinic",
    "Dr. Okonkwo, Cedar Falls Behavioral Health",
    "Dr. Lindgren, Demo County General cardiology",
    "Riverton Family Clinic pharmacist",
    "Cedar Falls Behavioral Health therapist",
)
CRISIS_PLAN = (
    "Warning signs: not sleeping, stopping medication, hearing voices more. Call the team's "
    "24-hour line first; if unsafe, call or text 988 or go to the Demo County General emergency "
    "department."
)
SELF_MANAGEMENT = {
    "en": "I will keep a calendar of my appointments, take my medicines as agreed, and call my "
    "case manager when something gets in the way.",
    "es": "Voy a anotar mis citas en un calendario, tomar mis medicinas como acordamos y llamar a "
    "mi administradora de casos cuando algo me lo impida.",
}
REVIEW_NOTES = (
    "Reviewed each goal with the client; progress as expected on most.",
    "Client reports steady progress; one goal adjusted for a new barrier.",
    "Mixed progress; the client chose which goal to focus on next.",
    "Good progress; the client is doing more of the plan independently.",
)
# Who else heard a verbal agreement.
WITNESSES = (
    "Ana Lucía Torres (intake worker)",
    "Telephone interpreter, ID 40217",
    "Peer support specialist",
    "Client's sister, present at the visit",
)
